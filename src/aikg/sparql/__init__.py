"""Reading, checking and running SPARQL, and writing its answers.

``lexer`` reads a query's text once, as the engine will (:func:`~aikg.sparql.lexer.read_query`);
``guard`` refuses what must not run; ``execute`` runs a query on a store under those checks;
``results`` serializes and tabulates answers.
"""
