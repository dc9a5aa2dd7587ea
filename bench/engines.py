#!/usr/bin/python3
"""bench/engines.py - the baseline engines of sou's benchmark.

Run by bench/bench.py as separate processes so that /usr/bin/time sees
each index build alone.  Every engine indexes the same plain text, the
JSON lines written by sou-bench-extract (see bench/README.md):

  engines.py index sqlite|xapian DOCS.jsonl INDEXDIR
  engines.py sphinx-conf INDEXDIR TSV PORT            (writes INDEXDIR/sphinx.conf)
  engines.py sphinx-tsv DOCS.jsonl TSV TAGS.json      (source file for Sphinx's indexer)
  engines.py query sqlite|xapian|sphinx INDEXDIR WORKLOAD.json OUT.json PASSES [PORT]

A workload is a JSON list of abstract queries (bench.py writes it):
  {"terms": ["农业", "发展"], "phrase": false, "tag": "快讯" | null,
   "date": [lo_epoch, hi_epoch] | null, "sort": "relevance" | "-date"}
terms must all match (AND); each term is a contiguous run of characters.
Query mode runs one untimed warm-up pass, then PASSES timed passes, and
writes {"latency_ms": [[per query] per pass], "hits": [[docno...] per query]}
where docno is the 1-based line number of the post in DOCS.jsonl.

Only the Python standard library plus Debian's python3-xapian and
python3-pymysql are used; run with /usr/bin/python3.
"""
import json
import os
import sqlite3
import sys
import time

LIMIT = 10


def read_docs(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


# ---------------------------------------------------------------- SQLite FTS5

def sqlite_index(docs_path, outdir):
    os.makedirs(outdir, exist_ok=True)
    db = sqlite3.connect(os.path.join(outdir, "fts.db"))
    db.execute("CREATE VIRTUAL TABLE ft USING fts5(title, body, tags UNINDEXED, "
               "date UNINDEXED, tokenize='trigram')")
    rows = ((n, d["title"], d["body"], "|" + "|".join(d["tags"]) + "|", d["date"])
            for n, d in enumerate(read_docs(docs_path), 1))
    with db:  # one transaction
        db.executemany("INSERT INTO ft(rowid, title, body, tags, date) VALUES (?,?,?,?,?)", rows)
    db.close()


def fts5_string(s):
    return '"' + s.replace('"', '""') + '"'


def sqlite_sql(q):
    """An abstract query as (sql, params).  The trigram tokenizer matches
    substrings of 3 or more characters through the index; shorter terms
    can only be found with LIKE, which scans (as SQLite documents)."""
    long_terms = [t for t in q["terms"] if len(t) >= 3]
    short_terms = [t for t in q["terms"] if len(t) < 3]
    where, params = [], []
    if long_terms:
        where.append("ft MATCH ?")
        params.append(" AND ".join(fts5_string(t) for t in long_terms))
    for t in short_terms:
        where.append("(title LIKE ? OR body LIKE ?)")
        like = "%" + t.replace("%", "").replace("_", "") + "%"
        params += [like, like]
    if q.get("tag"):
        # (LIKE on an UNINDEXED column of an FTS5 table matches nothing in
        # SQLite 3.40: the constraint is handed to the trigram index)
        where.append("instr(tags, ?) > 0")
        params.append("|" + q["tag"] + "|")
    if q.get("date"):
        where.append("date >= ? AND date < ?")
        params += q["date"]
    sql = "SELECT rowid FROM ft WHERE " + " AND ".join(where)
    if q.get("sort") == "-date":
        sql += " ORDER BY date DESC"
    elif long_terms:
        sql += " ORDER BY rank"
    return sql + " LIMIT %d" % LIMIT, params


class SqliteEngine:
    def __init__(self, indexdir, port=None):
        self.db = sqlite3.connect(os.path.join(indexdir, "fts.db"))

    def run(self, q):
        sql, params = sqlite_sql(q)
        return [r[0] for r in self.db.execute(sql, params).fetchall()]


# ---------------------------------------------------------------- Xapian

def xapian_index(docs_path, outdir):
    import xapian
    db = xapian.WritableDatabase(outdir, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_flags(xapian.TermGenerator.FLAG_CJK_NGRAM)
    for n, d in enumerate(read_docs(docs_path), 1):
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(d["title"])
        tg.increase_termpos()
        tg.index_text(d["body"])
        for t in d["tags"]:
            doc.add_boolean_term("XT" + t)
        if d["date"] is not None:
            doc.add_value(0, xapian.sortable_serialise(d["date"]))
        doc.set_data(d["id"])
        db.replace_document(n, doc)
    db.commit()
    db.close()


class XapianEngine:
    def __init__(self, indexdir, port=None):
        import xapian
        self.x = xapian
        self.db = xapian.Database(indexdir)
        self.qp = xapian.QueryParser()
        self.qp.set_database(self.db)
        self.qp.set_default_op(xapian.Query.OP_AND)
        self.flags = xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_CJK_NGRAM
        self.enq = xapian.Enquire(self.db)

    def run(self, q):
        x = self.x
        text = " ".join('"%s"' % t if q.get("phrase") else t for t in q["terms"])
        query = self.qp.parse_query(text, self.flags)
        if q.get("tag"):
            query = x.Query(x.Query.OP_FILTER, query, x.Query("XT" + q["tag"]))
        if q.get("date"):
            lo, hi = q["date"]
            query = x.Query(x.Query.OP_FILTER, query,
                            x.Query(x.Query.OP_VALUE_RANGE, 0, x.sortable_serialise(lo),
                                    x.sortable_serialise(hi - 1)))
        enq = self.enq
        enq.set_query(query)
        if q.get("sort") == "-date":
            enq.set_sort_by_value(0, True)
        else:
            enq.set_sort_by_relevance()
        return [m.docid for m in enq.get_mset(0, LIMIT)]


# ---------------------------------------------------------------- Sphinx

SPHINX_CONF = """
source posts
{{
	type = tsvpipe
	tsvpipe_command = cat {tsv}
	tsvpipe_field = title
	tsvpipe_field = body
	tsvpipe_attr_timestamp = date
	tsvpipe_attr_multi = tags
}}

index posts
{{
	source = posts
	path = {dir}/posts
	docinfo = extern
	# CJK as 1-grams: every CJK character (ideographs, kana, hangul) is a
	# token of its own; Latin, Cyrillic and digits (full-width folded) are
	# case-folded words; everything else separates tokens.
	charset_table = 0..9, A..Z->a..z, _, a..z, U+410..U+42F->U+430..U+44F, \
		U+430..U+44F, U+401->U+451, U+451, U+FF10..U+FF19->0..9, \
		U+FF21..U+FF3A->a..z, U+FF41..U+FF5A->a..z
	ngram_len = 1
	ngram_chars = U+3040..U+30FF, U+3400..U+4DBF, U+4E00..U+9FFF, U+AC00..U+D7AF, \
		U+F900..U+FAFF, U+20000..U+2FA1F
}}

indexer
{{
	mem_limit = 256M
}}

searchd
{{
	listen = 127.0.0.1:{port}:mysql41
	log = {dir}/searchd.log
	query_log = {dir}/query.log
	pid_file = {dir}/searchd.pid
	binlog_path =
	workers = threads
}}
"""


def sphinx_conf(indexdir, tsv, port):
    os.makedirs(indexdir, exist_ok=True)
    with open(os.path.join(indexdir, "sphinx.conf"), "w") as f:
        f.write(SPHINX_CONF.format(dir=os.path.abspath(indexdir), tsv=os.path.abspath(tsv),
                                   port=port))


def sphinx_tsv(docs_path, tsv, tags_json):
    """Sphinx's tsvpipe has no escaping: tabs and line breaks become spaces
    (harmless for 1-gram matching; phrases across blocks become possible)."""
    tags = {}
    clean = str.maketrans({"\t": " ", "\n": " ", "\r": " "})
    with open(tsv, "w", encoding="utf-8") as out:
        for n, d in enumerate(read_docs(docs_path), 1):
            ids = []
            for t in d["tags"]:
                ids.append(tags.setdefault(t, len(tags) + 1))
            out.write("%d\t%s\t%s\t%d\t%s\n" % (n, d["title"].translate(clean),
                                                d["body"].translate(clean),
                                                d["date"] or 0,
                                                ",".join(map(str, ids))))
    with open(tags_json, "w", encoding="utf-8") as f:
        json.dump(tags, f, ensure_ascii=False)


def sphinx_match(q):
    out = []
    for t in q["terms"]:
        t = "".join(c for c in t if c.isalnum())  # workload terms are letters only
        out.append('"%s"' % t if len(t) > 1 else t)
    return " ".join(out)


class SphinxEngine:
    def __init__(self, indexdir, port):
        import pymysql
        with open(os.path.join(indexdir, "tags.json"), encoding="utf-8") as f:
            self.tags = json.load(f)
        self.conn = pymysql.connect(host="127.0.0.1", port=int(port), user="",
                                    autocommit=True)
        self.cur = self.conn.cursor()

    def run(self, q):
        where, params = ["MATCH(%s)"], [sphinx_match(q)]
        if q.get("tag"):
            where.append("tags = %d" % self.tags.get(q["tag"], 0))
        if q.get("date"):
            where.append("date >= %d AND date < %d" % tuple(q["date"]))
        sql = "SELECT id FROM posts WHERE " + " AND ".join(where)
        if q.get("sort") == "-date":
            sql += " ORDER BY date DESC"
        sql += " LIMIT %d" % LIMIT
        self.cur.execute(sql, params)
        return [r[0] for r in self.cur.fetchall()]


ENGINES = {"sqlite": SqliteEngine, "xapian": XapianEngine, "sphinx": SphinxEngine}


def query(engine, indexdir, workload, out, passes, port=None):
    with open(workload, encoding="utf-8") as f:
        qs = json.load(f)
    e = ENGINES[engine](indexdir, port)
    hits = [e.run(q) for q in qs]  # warm-up pass, untimed
    lat = []
    for _ in range(passes):
        ms = []
        for q in qs:
            t0 = time.perf_counter()
            e.run(q)
            ms.append((time.perf_counter() - t0) * 1e3)
        lat.append(ms)
    res = {"latency_ms": lat, "hits": hits}
    if engine == "sphinx":
        # the client's and the protocol's share: a query for a word no post has
        floor = []
        for _ in range(200):
            t0 = time.perf_counter()
            e.cur.execute("SELECT id FROM posts WHERE MATCH('zzqqxxjj') LIMIT 1")
            e.cur.fetchall()
            floor.append((time.perf_counter() - t0) * 1e3)
        res["roundtrip_floor_ms"] = sorted(floor)[len(floor) // 2]
    with open(out, "w") as f:
        json.dump(res, f)


def main(argv):
    if len(argv) >= 4 and argv[1] == "index":
        {"sqlite": sqlite_index, "xapian": xapian_index}[argv[2]](argv[3], argv[4])
    elif len(argv) == 5 and argv[1] == "sphinx-conf":
        sphinx_conf(argv[2], argv[3], argv[4])
    elif len(argv) == 5 and argv[1] == "sphinx-tsv":
        sphinx_tsv(argv[2], argv[3], argv[4])
    elif len(argv) >= 7 and argv[1] == "query":
        query(argv[2], argv[3], argv[4], argv[5], int(argv[6]),
              argv[7] if len(argv) > 7 else None)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
