"""The backends: an Oxigraph store in memory or on disk (``local``), or a remote SPARQL 1.1
server such as Virtuoso (``remote``), behind the same interface."""
