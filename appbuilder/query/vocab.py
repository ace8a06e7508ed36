"""Names the query tools need to know: operators, aggregate functions, built-in fields, dashboard limits."""

from __future__ import annotations

AGGREGATES = frozenset({
    "count", "count_distinct", "count_frequent", "sum", "avg", "min", "max", "pct", "first", "last",
    "most_recent", "least_recent", "median", "stddev", "values", "pct_sampling",
})

# Operators appbuilder parses into a dedicated node.
MODELLED = frozenset({
    "json", "parse", "extract", "where", "timeslice", "sort", "order", "top", "topk", "limit", "fields",
    "transpose", "lookup", "compare", "outlier", "fillmissing", "if", "withtime",
}) | AGGREGATES

# Every other operator name of the Sumo log query language (from the docs' highlighter vocabulary);
# these are parsed generically without an "unknown operator" complaint being about a typo.
KNOWN_UNMODELLED = frozenset({
    "accum", "backshift", "base64decode", "base64encode", "bin", "cat", "compose", "csv", "dedup",
    "details", "diff", "filter", "geoip", "haversine", "join", "keyvalue", "kv", "logcompare", "logreduce",
    "lookupcontains", "merge", "predict", "rollingstd", "sample", "save", "sessionize", "smooth", "split",
    "subquery", "threatip", "threatlookup", "total", "trace", "transaction", "transactionize", "xml",
    "asn", "tail", "head", "timecompare", "parsedate", "parsehex",
})

# Functions usable inside expressions (`<expr> as x`, where, if).
FUNCTIONS = frozenset({
    "if", "concat", "format", "formatdate", "replace", "tolowercase", "touppercase", "trim", "substring",
    "length", "isnull", "isempty", "isblank", "isnumeric", "isvalidip", "ispublicip", "isprivateip",
    "num", "number", "tolong", "toint", "todouble", "tostring", "abs", "round", "ceil", "floor", "sqrt",
    "pow", "log", "log10", "exp", "max", "min", "now", "parsedate", "urlencode", "urldecode", "tourl",
    "contains", "matches", "queryendtime", "querystarttime", "base64encode", "base64decode", "hextodec",
    "dectohex", "ipv4tonumber", "luhn", "haversine", "getcidrprefixes", "maskfromcidr", "split",
    "fromtimestamp", "timestamp",
})

BUILTIN_FIELDS = frozenset({
    "_raw", "_messagetime", "_receipttime", "_sourcecategory", "_sourcehost", "_sourcename", "_collector",
    "_source", "_size", "_format", "_view", "_index", "_messagecount", "_datatier", "_collectorid",
    "_sourceid", "_messageid", "_blockid",
})

# Outputs of the lookups appbuilder knows, by table.
GEO_COLUMNS = frozenset({
    "latitude", "longitude", "continent", "country_code", "country_name", "region", "city", "state",
    "postal_code", "connection_type", "country_cf", "state_cf", "city_cf", "area_code", "metro_code",
})
THREAT_COLUMNS = frozenset({"type", "actor", "raw", "threatlevel", "threat"})
GEOIP_DEFAULT = ("latitude", "longitude", "country_code", "country_name", "city", "state")
THREATIP_OUTPUTS = ("actor", "malicious_confidence", "raw_threat", "type")

# docs/dashboards/restricted-operators-dashboards.md
DASHBOARD_FORBIDDEN = frozenset({"details", "logreduce", "logcompare", "sample", "save", "transaction"})
AFTER_AGGREGATE_ONLY = frozenset({
    "accum", "backshift", "diff", "join", "limit", "rollingstd", "smooth", "sort", "order", "top", "total",
})
