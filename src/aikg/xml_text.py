"""What XML 1.0 can carry, for the two XML formats aikg writes: RDF/XML and SPARQL
results in XML.

RDF allows any Unicode character in a literal; XML 1.0 does not allow the C0 control
characters but tab, line feed and carriage return, nor U+FFFE and U+FFFF, not even as a
character reference. A document holding one is not XML: rdflib, Jena and every parser
built on expat refuse the whole document. So an answer or a dump that holds one is
refused in XML, with the formats that can carry it, rather than written broken.

A carriage return can be carried, but only as ``&#xD;``: a parser turns a raw one, with
the line feed after it, into a line feed, so ``"a\\r\\nb"`` would be read back as
``"a\\nb"``. Oxigraph's RDF/XML writer writes it raw; :func:`rdf_xml` writes it as a
reference.

>>> rdf_xml(b"<p>a\\r\\nb</p>")
b'<p>a&#xD;\\nb</p>'
>>> check_text("tab\\tand line\\nfeed", "SPARQL results in XML")
>>> try:
...     check_text("a\\x00b", "RDF/XML")
... except NotAcceptableError as error:
...     print(error.message)
the data holds U+0000, a character XML 1.0 cannot hold: it cannot be written as RDF/XML
"""

from __future__ import annotations

import re
from typing import IO

from aikg.errors import NotAcceptableError

_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_IN_XML_UTF8 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def _refused(character: str, form: str) -> NotAcceptableError:
    return NotAcceptableError(
        f"the data holds U+{ord(character):04X}, a character XML 1.0 cannot hold: "
        f"it cannot be written as {form}",
        hint="ask for another format: N-Quads, TriG, Turtle or JSON-LD for RDF; SPARQL "
        "JSON, CSV or TSV for a table",
    )


def check_text(text: str, form: str) -> None:
    """Refuse ``text`` (a term's text, to be written in the XML format ``form``) if it
    holds a character XML 1.0 cannot."""
    if found := _NOT_IN_XML.search(text):
        raise _refused(found.group(), form)


def rdf_xml(chunk: bytes, before: bytes = b"") -> bytes:
    """A chunk of Oxigraph's RDF/XML, made XML 1.0 as a reader reads it back: carriage
    returns as references (Oxigraph writes none of its own: it indents with tabs and line
    feeds), a character XML cannot hold refused. ``before`` is the end of the chunk before
    it, so that a character split between two chunks is seen."""
    if found := _NOT_IN_XML_UTF8.search(before + chunk):
        raise _refused(found.group().decode("utf-8"), "RDF/XML")
    return chunk.replace(b"\r", b"&#xD;")


class RdfXmlSink:
    """A sink that hands on RDF/XML as :func:`rdf_xml` makes it, chunk by chunk."""

    def __init__(self, sink: IO[bytes]):
        self.sink = sink
        self.tail = b""

    def write(self, chunk: bytes) -> int:
        self.sink.write(rdf_xml(bytes(chunk), self.tail))
        self.tail = bytes(chunk[-2:])
        return len(chunk)

    def flush(self) -> None:
        if flush := getattr(self.sink, "flush", None):
            flush()
