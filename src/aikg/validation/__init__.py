"""SHACL validation with two engines that agree: ``fast`` (the shapes compiled to SPARQL on
Oxigraph, the default) and ``pyshacl_engine`` (the reference implementation)."""
