"""What the graph says about itself and its resources, for pages and machines: resource
views and dumps (``views``), ontology documentation, the saved-query catalogue, the SPARQL
service description and the charts."""
