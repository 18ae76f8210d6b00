// The home page's SPARQL editor: CodeMirror 5 over the plain form's textarea, with
// completion, example queries, results in the page (a sortable table, a bar chart, Turtle)
// and a link that reproduces the query.
//
// Without JavaScript (or if CodeMirror did not load) nothing here runs and the form posts
// to /sparql as it always did; every feature below is an addition to that form. Everything
// is fetched from this server: /prefixes (the prefix table), /search (entities by label),
// /ontology.jsonld (classes and properties), /queries/{name}.rq (examples) and /sparql.
"use strict";

(() => {
  const form = document.querySelector("form.sparql-form");
  if (!form || typeof window.CodeMirror === "undefined") return;
  const CodeMirror = window.CodeMirror;
  const root = form.dataset.root; // the path the app is mounted at, ending in "/"
  const base = form.dataset.base; // the base IRI of the data (entity IRIs start with it)
  const textarea = form.querySelector("textarea[name=query]");
  const formatSelect = form.querySelector("select[name=format]");
  const shareLink = form.querySelector("a.share-link");
  const results = document.querySelector("section.editor-results");
  const examples = form.querySelector("select.examples");
  form.querySelector(".editor-tools").hidden = false;

  const RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
  const RDFS = "http://www.w3.org/2000/01/rdf-schema#";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const OWL = "http://www.w3.org/2002/07/owl#";
  const SKOS = "http://www.w3.org/2004/02/skos/core#";
  const NUMERIC = new Set(
    [
      "integer", "decimal", "double", "float", "int", "long", "short", "byte",
      "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
      "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    ].map((name) => XSD + name),
  );
  // Terms every query uses that the ontology graph only refers to.
  const CORE_TERMS = [
    [RDF + "type", "property", "type"],
    [RDFS + "label", "property", "label"],
    [RDFS + "comment", "property", "comment"],
    [RDFS + "subClassOf", "property", "subclass of"],
    [RDFS + "subPropertyOf", "property", "subproperty of"],
    [SKOS + "prefLabel", "property", "preferred label"],
    [SKOS + "altLabel", "property", "alternative label"],
  ].map(([iri, kind, label]) => ({ iri, kind, label, labelKo: "" }));

  // -- the prefix table and the ontology's terms, fetched once ---------------------------

  let prefixes = {}; // name -> namespace, from /prefixes
  const prefixesLoaded = fetchJson(root + "prefixes")
    .then((table) => {
      if (table && typeof table === "object") prefixes = table;
    })
    .catch(() => {}); // an older server: only the query's own PREFIX lines complete

  // The classes and properties of the ontology with their English and Korean labels, and
  // the outside terms it builds on (superclasses, superproperties, domains and ranges),
  // read from the ontology document in expanded JSON-LD: a whole document, not a query
  // answer, so a server's row limit cannot cut the list short.
  let vocabulary = CORE_TERMS;
  const EXPANDED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"';
  const vocabularyLoaded = fetchJson(root + "ontology.jsonld", EXPANDED)
    .then((nodes) => {
      vocabulary = vocabularyOf(Array.isArray(nodes) ? nodes : nodes["@graph"] || []);
    })
    .catch(() => {});

  const KINDS = {
    [OWL + "Class"]: "class",
    [RDFS + "Class"]: "class",
    [OWL + "ObjectProperty"]: "property",
    [OWL + "DatatypeProperty"]: "property",
    [OWL + "AnnotationProperty"]: "property",
    [RDF + "Property"]: "property",
  };
  const REFERS_TO = {
    [RDFS + "subClassOf"]: "class",
    [RDFS + "domain"]: "class",
    [RDFS + "range"]: "class",
    [RDFS + "subPropertyOf"]: "property",
  };

  function vocabularyOf(nodes) {
    const terms = new Map();
    const term = (iri, kind) => {
      if (!terms.has(iri)) terms.set(iri, { iri, kind: termKind(iri, kind), label: "", labelKo: "" });
      return terms.get(iri);
    };
    const ids = (values) => (values || []).map((v) => (typeof v === "string" ? v : v["@id"])).filter(Boolean);
    for (const node of nodes) {
      const types = [...ids(node["@type"]), ...ids(node[RDF + "type"])];
      const kind = types.map((t) => KINDS[t]).find(Boolean);
      if (kind && !node["@id"].startsWith("_:")) {
        const t = term(node["@id"], kind);
        t.kind = termKind(t.iri, kind);
        for (const label of node[RDFS + "label"] || []) {
          const lang = (label["@language"] || "").toLowerCase();
          if (lang.startsWith("en") && !t.label) t.label = label["@value"];
          if (lang.startsWith("ko") && !t.labelKo) t.labelKo = label["@value"];
        }
      }
      for (const [property, referredKind] of Object.entries(REFERS_TO)) {
        for (const iri of ids(node[property])) if (!iri.startsWith("_:")) term(iri, referredKind);
      }
    }
    for (const t of CORE_TERMS) if (!terms.has(t.iri)) terms.set(t.iri, t);
    return [...terms.values()];
  }

  function termKind(iri, kind) {
    return iri.startsWith(XSD) ? "datatype" : kind;
  }

  // The PREFIX lines of the query in the editor: they win over the server's table.
  function declaredPrefixes(text) {
    const declared = {};
    for (const m of text.matchAll(/PREFIX\s+([\p{L}\w.-]*):\s*<([^>\s]*)>/giu)) {
      declared[m[1]] = m[2];
    }
    return declared;
  }

  function prefixTable() {
    return { ...prefixes, ...declaredPrefixes(editor.getValue()) };
  }

  // prefix:local for an IRI of a known namespace (the longest one), else null.
  function shorten(iri, table = prefixTable()) {
    let best = null;
    for (const [name, ns] of Object.entries(table)) {
      if (ns && iri.startsWith(ns) && iri.length > ns.length && (!best || ns.length > best[1].length)) {
        const local = iri.slice(ns.length);
        if (/^[\p{L}\p{N}_][\p{L}\p{N}_.-]*$/u.test(local) && !local.endsWith(".")) best = [name, ns];
      }
    }
    return best ? `${best[0]}:${iri.slice(best[1].length)}` : null;
  }

  // Where a browser should go for an IRI: this server's page for IRIs of the base, the IRI
  // itself for other http(s) IRIs (the same rule as the server's own tables).
  function linkFor(iri) {
    if (iri.startsWith(base)) return root + iri.slice(base.length);
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  // -- the editor and its completion ------------------------------------------------------

  const editor = CodeMirror.fromTextArea(textarea, {
    mode: "application/sparql-query",
    lineNumbers: true,
    matchBrackets: true,
    indentUnit: 2,
    extraKeys: {
      "Ctrl-Space": (cm) => cm.showHint({ hint: complete, completeSingle: false }),
      "Ctrl-Enter": () => run(),
      "Cmd-Enter": () => run(),
    },
  });
  editor.getWrapperElement().classList.add("sparql-editor");

  // While typing a prefixed name, or a word that starts a known prefix, the list opens by
  // itself. Entities are looked up by label as you type only after an entity prefix
  // (company:tes); a bare word is looked up on Ctrl-Space, or every keystroke of SELECT
  // would be a search.
  editor.on("inputRead", (cm, change) => {
    if (change.origin !== "+input") return;
    const typed = change.text.join("");
    // An open list follows the typing by itself; a colon closes it, and opens the terms.
    if (cm.state.completionActive && typed !== ":") return;
    if (!/^[\p{L}\p{N}_:-]$/u.test(typed)) return;
    const before = cm.getLine(change.from.line).slice(0, cm.getCursor().ch);
    if (/[\p{L}_][\p{L}\p{N}_.-]*:[\p{L}\p{N}_.-]*$|(^|[\s{(.;,/^|])[A-Za-z][\w-]*$/u.test(before)) {
      cm.showHint({ hint: complete, completeSingle: false, automatic: true });
    }
  });

  // The hint source (asynchronous: prefixes, terms and search results arrive by fetch).
  function complete(cm, callback, options) {
    const cursor = cm.getCursor();
    const token = cm.getTokenAt(cursor);
    if (token.type && /string|comment|variable-2/.test(token.type)) return callback(null);
    const before = cm.getLine(cursor.line).slice(0, cursor.ch);
    if (/<[^>\s]*$/.test(before)) return callback(null); // inside an <IRI>
    const prefixed = before.match(/([\p{L}_][\p{L}\p{N}_.-]*)?:([\p{L}\p{N}_.%-]*)$/u);
    const word = before.match(/[\p{L}\p{N}_-]+$/u);
    const automatic = Boolean(options && options.automatic);
    Promise.all([prefixesLoaded, vocabularyLoaded])
      .then(() => {
        if (prefixed) return completePrefixed(prefixed[1] || "", prefixed[2], automatic);
        if (word && !/[?$@]$/.test(before.slice(0, before.length - word[0].length))) {
          return completeWord(word[0], automatic);
        }
        return [];
      })
      .then((list) => {
        const from = CodeMirror.Pos(cursor.line, cursor.ch - (prefixed || word || [""])[0].length);
        callback(list.length ? { list, from, to: cursor } : null);
      })
      .catch(() => callback(null));
  }
  complete.async = true;

  // pfx:local -> the ontology's terms of that namespace, then entities of it by label.
  async function completePrefixed(prefix, local, automatic) {
    const table = prefixTable();
    const namespace = table[prefix];
    if (namespace === undefined) return [];
    const needle = local.toLowerCase();
    const terms = vocabulary
      .filter((t) => t.iri.startsWith(namespace))
      .filter(
        (t) =>
          t.iri.slice(namespace.length).toLowerCase().startsWith(needle) ||
          (needle && t.label.toLowerCase().includes(needle)) ||
          (needle && t.labelKo.includes(local)),
      )
      .sort(byKindHere())
      .map((t) => termHint(`${prefix}:${t.iri.slice(namespace.length)}`, t.label, t.labelKo, t.kind));
    // An entity family (country:, company:...), not a vocabulary: look the text up by
    // label, and offer the entities of that family first.
    const isVocabulary = vocabulary.some((t) => t.iri.startsWith(namespace));
    if (terms.length || !local || isVocabulary || (automatic && !namespace.startsWith(base))) {
      return terms;
    }
    const found = await search(local);
    const own = found.filter((r) => r.iri.startsWith(namespace));
    return [...own, ...found.filter((r) => !r.iri.startsWith(namespace))].map((r) => entityHint(r, table));
  }

  // A bare word -> the prefixes it starts (auto), and on Ctrl-Space entities by label.
  async function completeWord(word, automatic) {
    const table = prefixTable();
    const lower = word.toLowerCase();
    const names = Object.keys(table)
      .filter((name) => name.toLowerCase().startsWith(lower))
      .sort((a, b) => a.length - b.length || a.localeCompare(b))
      .map((name) => ({
        text: `${name}:`,
        displayText: `${name}:`,
        className: "hint-prefix",
        render: (el) => renderHint(el, `${name}:`, table[name], "prefix"),
      }));
    if (automatic) return word.length >= 2 ? names : [];
    const found = await search(word);
    return [...names, ...found.map((r) => entityHint(r, table))];
  }

  // Where the cursor is decides what comes first: classes after "a" or rdf:type,
  // properties elsewhere.
  function byKindHere() {
    const cursor = editor.getCursor();
    const before = editor.getRange(CodeMirror.Pos(Math.max(0, cursor.line - 1), 0), cursor);
    const wantsClass = /(\sa|rdf:type)\s+[\p{L}\p{N}_.:-]*$/u.test(before);
    const rank = (t) => (t.kind === "class") === wantsClass ? 0 : 1;
    return (a, b) => rank(a) - rank(b) || a.iri.localeCompare(b.iri);
  }

  function termHint(text, label, labelKo, kind) {
    const labels = [label, labelKo].filter(Boolean).join(" · ");
    return {
      text,
      displayText: text,
      className: `hint-${kind}`,
      render: (el) => renderHint(el, text, labels, kind),
    };
  }

  // An entity found by /search: its IRI short, its name, the name that matched when it is
  // another one (한국 for South Korea), and its type.
  function entityHint(result, table) {
    const text = shorten(result.iri, table) || `<${result.iri}>`;
    const matched = result.matched && result.matched !== result.label ? ` (${result.matched})` : "";
    const note = `${result.label}${matched}${result.lang ? ` @${result.lang}` : ""}`;
    const type = (result.types || []).map((t) => shorten(t, table) || t)[0] || "entity";
    return {
      text,
      displayText: text,
      className: "hint-entity",
      render: (el) => renderHint(el, text, note, type),
    };
  }

  function renderHint(el, text, note, kind) {
    el.append(element("code", {}, text));
    if (note) el.append(" ", element("span", { class: "hint-note" }, note));
    el.append(" ", element("span", { class: "hint-kind" }, kind));
  }

  async function search(text) {
    const url = `${root}search?${new URLSearchParams({ q: text, limit: "15" })}`;
    try {
      const answer = await fetchJson(url);
      return Array.isArray(answer.results) ? answer.results : [];
    } catch {
      return [];
    }
  }

  // -- examples ----------------------------------------------------------------------------

  examples.addEventListener("change", async () => {
    const name = examples.value;
    if (!name) return;
    const response = await fetch(`${root}queries/${encodeURIComponent(name)}.rq`);
    if (!response.ok) return showError(await errorOf(response));
    editor.setValue(await response.text());
    editor.focus();
    run();
  });

  // -- running a query -------------------------------------------------------------------

  form.addEventListener("submit", (event) => {
    // Other formats are downloads: the plain form post does that.
    if (formatSelect.value !== "html") {
      editor.save();
      return;
    }
    event.preventDefault();
    run();
  });

  function shareUrl(query) {
    return `${location.pathname}?${new URLSearchParams({ query })}#sparql`;
  }

  let running = 0; // the latest run wins when runs overlap
  async function run() {
    const query = editor.getValue();
    const mine = ++running;
    const url = shareUrl(query);
    shareLink.href = url;
    shareLink.hidden = false;
    history.replaceState(null, "", url);
    results.hidden = false;
    results.classList.add("running");
    results.replaceChildren(element("p", { class: "meta" }, "Running…"));
    let answer;
    try {
      answer = await runQuery(query);
    } catch (error) {
      if (mine === running) showError(error);
      return;
    } finally {
      if (mine === running) results.classList.remove("running");
    }
    if (mine !== running) return;
    showAnswer(answer);
  }

  // POST the query; the answer is SPARQL JSON for SELECT and ASK, Turtle for CONSTRUCT and
  // DESCRIBE (the server picks by the query's form from this Accept list).
  async function runQuery(query) {
    const response = await fetch(root + "sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/sparql-results+json, text/turtle;q=0.9",
      },
      body: new URLSearchParams({ query }),
    });
    if (!response.ok) throw await errorOf(response);
    const type = response.headers.get("content-type") || "";
    const meta = {
      rows: response.headers.get("AIKG-Rows"),
      truncated: response.headers.get("AIKG-Truncated") === "true",
      elapsed: response.headers.get("AIKG-Elapsed-Ms"),
    };
    if (type.startsWith("application/sparql-results+json")) {
      return { json: await response.json(), meta };
    }
    return { text: await response.text(), type, meta };
  }

  // The server's error shape {error, status, message, where, hint}, or what came instead.
  async function errorOf(response) {
    let body = null;
    try {
      body = await response.json();
    } catch {
      // not JSON: a proxy's page, say
    }
    if (body && body.message) return body;
    return { status: response.status, error: response.statusText, message: `the server answered ${response.status}` };
  }

  function showError(error) {
    results.hidden = false;
    const box = element("div", { class: "editor-error", role: "alert" });
    const status = error.status ? `${error.status} ${error.error || ""}`.trim() : "error";
    box.append(element("p", {}, element("strong", {}, status), ": ", error.message || String(error)));
    if (error.where) {
      box.append(element("p", {}, "where: ", element("code", {}, error.where)));
      markErrorLine(error.where);
    }
    if (error.hint) box.append(element("p", {}, "how to fix it: ", error.hint));
    results.replaceChildren(element("h3", {}, "The query was refused"), box);
  }

  // The server names a syntax error's place as "line L, column C: ..."; the line is marked
  // in the editor until the next edit.
  let markedLine = null;
  function markErrorLine(where) {
    const m = where.match(/^line (\d+), column \d+/);
    if (!m || Number(m[1]) > editor.lineCount()) return;
    markedLine = editor.addLineClass(Number(m[1]) - 1, "background", "editor-error-line");
  }
  editor.on("change", () => {
    if (markedLine) editor.removeLineClass(markedLine, "background", "editor-error-line");
    markedLine = null;
  });

  function showAnswer(answer) {
    const parts = [element("h3", {}, "Results")];
    const meta = [];
    if (answer.json && "boolean" in answer.json) {
      parts.push(element("p", { class: "boolean" }, String(answer.json.boolean)));
    } else if (answer.json) {
      const vars = answer.json.head.vars;
      const rows = answer.json.results.bindings;
      meta.push(`${formatCount(rows.length)} ${rows.length === 1 ? "row" : "rows"}`);
      const chart = barChart(vars, rows);
      if (chart) parts.push(chart);
      parts.push(element("div", { class: "table-scroll" }, resultTable(vars, rows)));
    } else {
      parts.push(element("pre", { class: "turtle" }, answer.text));
    }
    if (answer.meta.elapsed) meta.push(`${answer.meta.elapsed} ms`);
    if (answer.meta.truncated) meta.push("truncated by the server's row limit");
    parts.splice(1, 0, element("p", { class: "meta" }, meta.join(" · ")));
    results.replaceChildren(...parts);
  }

  // -- the table -----------------------------------------------------------------------------

  function isNumeric(term) {
    return term && term.type === "literal" && NUMERIC.has(term.datatype) && term.value.trim() !== "" && !Number.isNaN(Number(term.value));
  }

  // 350000 -> "350,000", exactly (by the digits, not through a float): an xsd:integer may
  // be larger than a double holds.
  function formatNumber(term) {
    const value = term.value.trim();
    const m = value.match(/^([+-]?)(\d+)(\.\d+)?$/);
    if (!m) return Number(value).toLocaleString("en");
    return m[1].replace("+", "") + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (m[3] || "");
  }

  function formatCount(n) {
    return n.toLocaleString("en");
  }

  function cell(term) {
    const td = element("td");
    if (!term) return td;
    if (term.type === "uri") {
      const short = shorten(term.value);
      const href = linkFor(term.value);
      const text = short || term.value;
      td.append(href ? element("a", { href, title: term.value }, text) : element("span", { title: term.value }, text));
    } else if (term.type === "bnode") {
      td.append(`_:${term.value}`);
    } else if (isNumeric(term)) {
      td.className = "number";
      td.append(element("span", { title: `${term.value} (${shorten(term.datatype) || term.datatype})` }, formatNumber(term)));
    } else {
      // One line of text per line of the value (quotations are joined by newlines).
      term.value.split("\n").forEach((line, i) => {
        if (i) td.append(element("br"));
        td.append(line);
      });
      if (term["xml:lang"]) td.append(" ", element("small", {}, `@${term["xml:lang"]}`));
    }
    return td;
  }

  function sortKey(term) {
    if (!term) return null;
    if (isNumeric(term)) return Number(term.value);
    if (term.type === "uri") return shorten(term.value) || term.value;
    return term.value;
  }

  // Numbers before text, empty cells last, whichever the direction.
  function compareKeys(a, b) {
    if (a === null || b === null) return (a === null) - (b === null);
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "number") return -1;
    if (typeof b === "number") return 1;
    return a.localeCompare(b, undefined, { numeric: true });
  }

  function resultTable(vars, rows) {
    const table = element("table", { class: "results editor-table" });
    const headRow = element("tr");
    const body = element("tbody");
    let order = rows.map((row, i) => i);
    const state = { column: null, descending: false };
    const draw = () =>
      body.replaceChildren(...order.map((i) => element("tr", {}, ...vars.map((v) => cell(rows[i][v])))));
    vars.forEach((v) => {
      const button = element("button", { type: "button", class: "sort" }, `?${v}`);
      const th = element("th", { scope: "col", "aria-sort": "none" }, button);
      button.addEventListener("click", () => {
        state.descending = state.column === v ? !state.descending : false;
        state.column = v;
        const keys = rows.map((row) => sortKey(row[v]));
        order = rows.map((row, i) => i);
        order.sort((a, b) => {
          // empty cells stay last in both directions
          if (keys[a] === null || keys[b] === null) return compareKeys(keys[a], keys[b]);
          const c = compareKeys(keys[a], keys[b]);
          return (state.descending ? -c : c) || a - b;
        });
        headRow.querySelectorAll("th").forEach((h) => h.setAttribute("aria-sort", "none"));
        th.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
        draw();
      });
      headRow.append(th);
    });
    table.append(element("thead", {}, headRow), body);
    draw();
    return table;
  }

  // -- the chart -----------------------------------------------------------------------------

  // A horizontal bar chart when the answer has a label-like column (text, or else IRIs)
  // and a numeric column, with at most 40 rows and no negative value; null otherwise.
  function barChart(vars, rows) {
    if (rows.length < 2 || rows.length > 40) return null;
    const filled = (v) => rows.every((row) => row[v]);
    const numeric = vars.find((v) => filled(v) && rows.every((row) => isNumeric(row[v])));
    if (!numeric) return null;
    // The bars' names: a text column named like a label, else the first column of text or
    // IRIs (?holder in "?holder ?quantity ?source", ?holderLabel in the saved queries).
    const labelLike = vars.filter(
      (v) =>
        v !== numeric &&
        filled(v) &&
        rows.every((row) => row[v].type === "uri" || (row[v].type === "literal" && !isNumeric(row[v]))),
    );
    const named = labelLike.find((v) => /(label|name|title)$/i.test(v) && rows.every((row) => row[v].type === "literal"));
    const labelVar = named || labelLike[0];
    if (!labelVar) return null;
    const values = rows.map((row) => Number(row[numeric].value));
    if (values.some((x) => x < 0)) return null;
    const max = Math.max(...values) || 1;
    const barHeight = 22;
    const labelWidth = 220;
    const plotWidth = 440;
    const width = labelWidth + plotWidth + 90;
    const height = rows.length * barHeight + 28;
    const svg = svgElement("svg", {
      class: "chart-editor",
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
    });
    svg.append(svgElement("title", {}, `?${numeric} by ?${labelVar}`));
    rows.forEach((row, i) => {
      const y = 4 + i * barHeight;
      const term = row[labelVar];
      const label = term.type === "uri" ? shorten(term.value) || term.value : term.value;
      const w = Math.max(1, (values[i] / max) * plotWidth);
      const g = svgElement("g", { class: "bar" });
      g.append(
        svgElement("text", { x: labelWidth - 8, y: y + 15, "text-anchor": "end" }, truncate(label, 32)),
        svgElement("rect", { x: labelWidth, y: y + 3, width: w.toFixed(1), height: barHeight - 6 }),
        svgElement("text", { x: labelWidth + w + 6, y: y + 15, class: "value" }, formatNumber(row[numeric])),
      );
      g.querySelector("rect").append(svgElement("title", {}, `${label}: ${formatNumber(row[numeric])}`));
      svg.append(g);
    });
    svg.append(svgElement("text", { x: labelWidth, y: height - 6, class: "axis" }, `?${numeric}, linear scale from 0`));
    return element("figure", { class: "chart editor-chart" }, svg);
  }

  function truncate(text, n) {
    return text.length > n ? `${text.slice(0, n - 1)}…` : text;
  }

  // -- small helpers -------------------------------------------------------------------------

  function element(tag, attributes = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, v);
    el.append(...children);
    return el;
  }

  function svgElement(tag, attributes = {}, ...children) {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, String(v));
    el.append(...children);
    return el;
  }

  async function fetchJson(url, accept = "application/json") {
    const response = await fetch(url, { headers: { Accept: accept } });
    if (!response.ok) throw await errorOf(response);
    return response.json();
  }

  // -- a shared link: ?query=... (the server fills the textarea) or #query=... -----------

  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  if (fragment.has("query")) {
    editor.setValue(fragment.get("query"));
    run();
  } else if (new URLSearchParams(location.search).has("query")) {
    run();
  }
})();
