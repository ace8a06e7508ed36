"""Dashboard previews: panels drawn from local query results on the sample events.

``results`` runs every panel (and every value of every variable) with the sample runner of ``appbuilder test``;
``payload`` turns one result table into what a panel shows (a Vega-Lite spec from ``charts``, an SVG from
``drawing``, a table, Markdown or a message); ``page`` writes the static site, ``png`` one image per dashboard
and ``serve`` a local server that re-renders when the YAML changes.
"""
