"""SHACL validation with two engines that agree: ``fast`` (the shapes compiled to SPARQL on
Oxigraph, the default) and ``pyshacl_engine`` (the reference implementation); what a
change can affect (``reach``, ``incremental``); and the store copied in memory for a load
validated in full (``memory_copy``)."""
