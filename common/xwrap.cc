/*
 * xwrap.cc - the extern "C" wrapper over libxapian (see xwrap.h).
 *
 * The only C++ in sou.  Rules kept here: every entry point that can reach
 * Xapian is wrapped in try/catch(Xapian::Error)/catch(std::exception)/
 * catch(...) and converted to a sou_status; C code never sees an
 * exception.  Allocation failure inside Xapian surfaces as std::bad_alloc
 * and becomes SOU_ERR_NOMEM.
 */
#include "xwrap.h"
#include "fsafe.h"
#include "genlock.h"
#include "records.h"
#include "schema.h"
#include "shardset.h"
#include "tune.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sstream>
#include <string>
#include <exception>
#include <thread>
#include <vector>
#include <xapian.h>
#include <sys/stat.h>

struct fetch_pool;
struct prober;

/* A shard SOU_XDB_PARTIAL leaves out of a reader for now (down, or over
 * the timeout), and why, in Xapian's words. */
struct shard_gone {
	bool gone = false;
	std::string why;
};

struct sou_xdb {
	Xapian::Database *db;            /* always set */
	Xapian::WritableDatabase *wdb;   /* set when writable (same object) */
	std::string path;
	/*
	 * A reader: the shards path resolved to (shardset.h; one for a
	 * plain index), the lock on the generation of each local sou index
	 * among them (genlock.h; owned), the remote timeout, and whether a
	 * remote shard failed, in which case every shard is opened again
	 * before the next read, so a server that comes back is used again.
	 */
	sou_shardlist shards;
	std::vector<sou_genhold *> holds;
	unsigned timeout_ms;
	bool broken;
	/* a build shard's memory bound (sou_xdb_set_flush_budget): estimated
	 * bytes of uncommitted changes, and the budget (0: none) */
	size_t pending, budget;
	bool dangerous;                  /* a shard opened with DB_DANGEROUS */
	/* record compression (records.h): every dictionary of every shard
	 * opened; a writer compresses with its index's (always set once
	 * the handle is open) */
	sou_records *rec = nullptr;
	/* a reader's shards, whose dictionaries are loaded on the first
	 * compressed record (inside reading(), so a writer's commit meanwhile
	 * is retried like any read; --status never pays for them) */
	std::vector<Xapian::Database> subs;
	bool dicts_loaded = false;
	/*
	 * The shards db searches, as indexes into shards, in db's order
	 * (subs[k] is shards.v[live[k]]): every shard, unless SOU_XDB_PARTIAL
	 * left some out (gone, one entry per shard; losses counts how often
	 * one was).  Xapian interleaves the docids of the shards db holds,
	 * so a docid from before live changed names another post after it.
	 */
	std::vector<size_t> live;
	bool partial = false;
	std::vector<shard_gone> gone;
	unsigned long losses = 0;
	double retry_s = SOU_XDB_RETRY_S;
	std::shared_ptr<prober> probe;   /* looks for gone shards coming back */
	fetch_pool *pool = nullptr;      /* parallel fetches (sou_xmset_prefetch) */
	/* the day slot's bounds over db (--recent), read once per state of
	 * db: each is a round trip per remote shard; cleared whenever db is
	 * reopened or changes shards (day_known) */
	std::string day_lo, day_hi;
	bool day_known = false;
	/*
	 * Term families read whole and kept (sou_xdb_cache_terms): with
	 * remote shards, each_term_tf answers a prefix inside one from
	 * memory while every shard's state (sig) is the one it was read at.
	 */
	struct term_cache {
		std::string family;
		std::string sig;
		bool loaded = false, usable = false;
		std::vector<std::pair<std::string, Xapian::doccount> > terms; /* sorted */
	};
	std::vector<term_cache> caches;
	~sou_xdb(); /* every way a handle is deleted */
};

struct sou_xdoc {
	Xapian::Document doc;
	unsigned dropped;
	bool failed;
	size_t mem;      /* rough bytes of its positions and data in Xapian's
			  * inverter; its terms are counted at replace time */
};

/*
 * Rough bytes a term of a document costs Xapian until the next flush: a
 * map node per (term, post) in the inverter and the termlist entry; a
 * position costs a little more.  Only used to bound a shard's memory.
 */
#define PAIR_BYTES 96
#define POSITION_BYTES 8

struct sou_xq {
	Xapian::Query q;
};

struct facet_result {
	std::vector<std::string> values;
	std::vector<const char *> ptrs;
	std::vector<unsigned long> counts;
	unsigned long seen;
	bool exact;
};

/* What data[i] of an mset holds. */
enum { REC_NONE, REC_RAW, REC_READY };

struct sou_xmset {
	std::vector<double> weights;
	std::vector<unsigned> docids;
	std::vector<std::string> data;
	/* REC_READY: data[i] is the record, unpacked; REC_RAW: as read, to
	 * unpack (sou_xmset_prefetch fetched it); REC_NONE: not fetched */
	std::vector<unsigned char> state;
	/* each hit's sort key (its order value: date and key, unique per
	 * post) when the search sorted by value, as Xapian's MSet carries it
	 * from every shard */
	std::vector<std::string> sort_keys;
	/* values of hits known without reading them now: (slot, value);
	 * all_values[i]: every value of hit i is there (a prefetched remote
	 * document comes with all of them), else only the slots listed */
	std::vector<std::vector<std::pair<unsigned, std::string> > > values;
	std::vector<unsigned char> all_values;
	unsigned long estimated, lower, upper;
	std::vector<facet_result> facets;
};

struct sou_xstem {
	Xapian::Stem stem;
};

/*
 * A failure that means the index's files are damaged: says so and how to
 * recover, in sou-index and sou-query alike.
 */
static sou_status damaged(sou_error *err, const char *what, const Xapian::Error &e)
{
	return sou_error_set(err, SOU_ERR_DB, "%s: the index is damaged (%s): %s", what,
			     e.get_description().c_str(), SOU_GENLOCK_REBUILD_HINT);
}

/* Converts the in-flight exception into a status; call only in catch. */
static sou_status fail_from_exception(sou_error *err, const char *what)
{
	try {
		throw;
	} catch (const Xapian::DatabaseLockError &e) {
		/* only a lock another process holds is "locked" (exit 75);
		 * Xapian says "already locked" for exactly that case, and
		 * names the cause (permissions, no inodes, ...) otherwise */
		if (e.get_msg().find("already locked") != std::string::npos)
			return sou_error_set(err, SOU_ERR_LOCKED, "%s: %s", what,
					     e.get_description().c_str());
		return sou_error_set(err, SOU_ERR_DB, "%s: cannot lock the index for writing: %s",
				     what, e.get_description().c_str());
	} catch (const Xapian::DatabaseCorruptError &e) {
		return damaged(err, what, e);
	} catch (const Xapian::DocNotFoundError &e) {
		/* sou looks documents up only by docids Xapian itself returned */
		return damaged(err, what, e);
	} catch (const Xapian::DatabaseNotFoundError &e) {
		return sou_error_set(err, SOU_ERR_NOTFOUND, "%s: %s", what,
				     e.get_description().c_str());
	} catch (const Xapian::DatabaseVersionError &e) {
		return sou_error_set(err, SOU_ERR_DB, "%s: %s", what,
				     e.get_description().c_str());
	} catch (const Xapian::DatabaseOpeningError &e) {
		/* a file of the database missing or unreadable: permissions
		 * (errno set) or damage (a table gone or garbled) */
		if (e.get_error_string())
			return sou_error_set(err, SOU_ERR_DB, "%s: %s", what,
					     e.get_description().c_str());
		return damaged(err, what, e);
	} catch (const Xapian::DatabaseError &e) {
		/* plain DatabaseError: with an errno it is the system failing
		 * (disk full, I/O error); without one ("EOF reading block")
		 * the files do not hold what Xapian wrote */
		if (e.get_type() == std::string("DatabaseError") && !e.get_error_string())
			return damaged(err, what, e);
		return sou_error_set(err, SOU_ERR_DB, "%s: %s", what,
				     e.get_description().c_str());
	} catch (const Xapian::Error &e) {
		return sou_error_set(err, SOU_ERR_DB, "%s: %s", what,
				     e.get_description().c_str());
	} catch (const std::bad_alloc &) {
		return sou_error_set(err, SOU_ERR_NOMEM, "%s: out of memory", what);
	} catch (const std::exception &e) {
		return sou_error_set(err, SOU_ERR_INTERNAL, "%s: %s", what, e.what());
	} catch (...) {
		return sou_error_set(err, SOU_ERR_INTERNAL, "%s: unknown exception", what);
	}
}

/*
 * fail_from_exception for a write to h; sys is errno as the exception
 * left it (0 before the write).  A DB_DANGEROUS shard cannot roll back a
 * failed write, and Xapian then throws "cancel() not supported under
 * Xapian::DB_DANGEROUS" instead of the write's own error (a full disk,
 * say), so for that one the system's error is named instead.
 */
static sou_status fail_writing(sou_xdb *h, sou_error *err, int sys)
{
	try {
		throw;
	} catch (const Xapian::InvalidOperationError &e) {
		if (h->dangerous && sys)
			return sou_error_set(err, SOU_ERR_DB, "%s: cannot write the build shard: %s",
					     h->path.c_str(), strerror(sys));
		return fail_from_exception(err, h->path.c_str());
	} catch (...) {
		return fail_from_exception(err, h->path.c_str());
	}
}

/*
 * How often a read is retried after the index moved on under it.  A read
 * of every record (--status, a dry run) can span several commits of a
 * writer that commits every few posts; each retry starts from the latest
 * revision, so a few dozen are plenty even then.
 */
#define READ_TRIES 50

/*
 * 1 for the errors a reader gets from blocks a writer reused under it:
 * DatabaseCorruptError, or a plain DatabaseError without an errno (what
 * fail_from_exception calls damage when it persists).
 */
static bool reused_block(const Xapian::Error &e)
{
	std::string type = e.get_type();
	/* "No termlist for document N" (DocNotFoundError) also seen in t0045 */
	return type == "DatabaseCorruptError" || type == "DocNotFoundError" ||
	       (type == "DatabaseError" && !e.get_error_string());
}

/*
 * Reopens h's reader after a read met the writer moving on (see below).
 * reopen() reads the newest revision's roots, which a writer committing
 * fast can also discard or reuse under it, so it is retried likewise,
 * counting in *tries.  *moved: whether a newer revision was found.
 * false when it cannot be reopened (the caller reports its own error).
 */
static bool reopen_reader(sou_xdb *h, int *tries, bool *moved)
{
	*moved = false;
	for (; *tries < READ_TRIES; ++*tries) {
		try {
			h->day_known = false;
			*moved = h->db->reopen() || *moved;
			return true;
		} catch (const Xapian::DatabaseModifiedError &) {
			*moved = true;
		} catch (const Xapian::DatabaseError &e) {
			if (!reused_block(e))
				return false;
			*moved = true;
		} catch (...) {
			return false;
		}
	}
	return false;
}

static sou_status open_readers(sou_xdb *h, sou_error *err);
static sou_status network_failed(sou_xdb *h, sou_error *err, const Xapian::Error &e);
static const sou_shard *remote_by_context(const sou_xdb *h, const Xapian::Error &e);
static std::string describe(const sou_shard &s);

/*
 * Runs body (which returns a sou_status) against a reader, reopening and
 * retrying when Xapian says the database moved on under it, so callers
 * always see one consistent committed state.  After a remote shard
 * failed (h->broken) every shard is opened again first; a network error
 * marks h broken and names the shard (network_failed).
 */

template <typename F>
static sou_status reading(sou_xdb *h, sou_error *err, F body)
{
	for (int tries = 0;; tries++) {
		if (h->broken) {
			sou_status st = open_readers(h, err);
			if (st)
				return st;
		}
		try {
			return body();
		} catch (const Xapian::NetworkError &e) {
			return network_failed(h, err, e);
		} catch (const Xapian::DatabaseModifiedError &) {
			bool moved;
			if (reopen_reader(h, &tries, &moved))
				continue;
			return fail_from_exception(err, h->path.c_str());
		} catch (const Xapian::Error &e) {
			/*
			 * A reader that opened while a writer committed twice can
			 * meet blocks the writer already reused ("Expected block N
			 * to be level 1, not 0"; seen in t0012 under load; or a
			 * garbage block number, "EOF reading block N", in t0045).
			 * That is not damage if a newer revision exists: reopen()
			 * then returns true and the retry reads a consistent state.
			 * The same error at an unchanged revision is real corruption.
			 */
			bool moved = false;
			if (reused_block(e) && reopen_reader(h, &tries, &moved) && moved)
				continue;
			/* an error a remote shard sent back names that shard */
			const sou_shard *s = remote_by_context(h, e);
			return fail_from_exception(err, s ? describe(*s).c_str() : h->path.c_str());
		} catch (...) {
			return fail_from_exception(err, h->path.c_str());
		}
	}
}

/* Drops every lock in holds (after the databases are closed). */
static void release_holds(std::vector<sou_genhold *> &holds)
{
	for (sou_genhold *g : holds)
		sou_genlock_release(g);
	holds.clear();
}

static std::string describe(const sou_shard &s)
{
	sou_buf b = SOU_BUF_INIT;
	sou_shard_describe(&s, &b);
	std::string r(b.data ? b.data : "", b.len);
	sou_buf_free(&b);
	return r;
}

/*
 * Loads the record dictionaries stored in db (SOU_META_ZDICT keys) into
 * h->rec; a writer compresses with the first.  Xapian reads metadata of a
 * combined database from its first shard only, so readers call this per
 * shard.
 */
static void load_dicts(sou_xdb *h, Xapian::Database &db, bool writing)
{
	if (!h->rec)
		h->rec = sou_records_create();
	for (Xapian::TermIterator k = db.metadata_keys_begin(SOU_META_ZDICT);
	     k != db.metadata_keys_end(SOU_META_ZDICT); ++k) {
		std::string d = db.get_metadata(*k);
		if (sou_records_add_dict(h->rec, d.data(), d.size(), writing))
			writing = false;
	}
}

/*
 * A stored record (data, read from h) in plain form, in place.  A
 * dictionary the handle lacks is damage: a reader holds its generation
 * (genlock), and only a new generation brings a new dictionary.
 */
/*
 * The shard (an index into h->shards) holding document id of reader h,
 * and its docid there: Xapian interleaves the ids of combined databases,
 * so id - 1 modulo the number of shards searched is the shard's place
 * among them (h->live).  SIZE_MAX for id 0 or a reader without shards.
 */
static size_t shard_of(const sou_xdb *h, Xapian::docid id, Xapian::docid *sub)
{
	size_t n = h->live.size();
	if (!id || !n)
		return SIZE_MAX;
	if (sub)
		*sub = (id - 1) / (Xapian::docid)n + 1;
	return h->live[(id - 1) % n];
}

static bool is_remote(const sou_xdb *h, size_t k)
{
	return k < h->shards.n && h->shards.v[k].kind == SOU_SHARD_REMOTE;
}

/* Whether any shard of the reader now searched is remote. */
static bool remote_shards(const sou_xdb *h)
{
	for (size_t k : h->live)
		if (is_remote(h, k))
			return true;
	return false;
}

/*
 * What holds document id of reader h, for messages: the shard when there
 * are several or it is remote, else the path h was opened with.
 */
static std::string holder_of(const sou_xdb *h, Xapian::docid id)
{
	size_t k = shard_of(h, id, nullptr);
	if (k != SIZE_MAX && (h->shards.n > 1 || is_remote(h, k)))
		return describe(h->shards.v[k]);
	return h->path;
}

static sou_status unpack(sou_xdb *h, Xapian::docid id, std::string &data, sou_error *err)
{
	if (data.empty() || data[0] != SOU_RECORDS_ZSTD)
		return SOU_OK;
	if (!h->dicts_loaded) {
		for (Xapian::Database &sub : h->subs)
			load_dicts(h, sub, false);
		h->dicts_loaded = true;
	}
	sou_buf out = SOU_BUF_INIT;
	sou_error e;
	sou_status st = sou_records_unpack(h->rec, data.data(), data.size(), &out, &e);
	if (st) {
		std::string who = holder_of(h, id);
		bool remote = is_remote(h, shard_of(h, id ? id : 1, nullptr));
		sou_buf_free(&out);
		if (remote) /* the bytes may have gone bad on the way */
			return sou_error_set(err, SOU_ERR_DB, "%s: a record came back damaged (%s): "
					     "the shard's index is damaged or the connection garbled "
					     "it; check it with sou-index --check", who.c_str(), e.msg);
		return sou_error_set(err, st, "%s: the index is damaged (%s): " SOU_GENLOCK_REBUILD_HINT,
				     who.c_str(), e.msg);
	}
	data.assign(out.data, out.len);
	sou_buf_free(&out);
	return SOU_OK;
}

/*
 * Runs body on a database just opened, again after again() while a writer
 * committing twice meanwhile leaves it on a discarded revision, or makes
 * it read blocks it already reused (as in reading()); real damage fails
 * every time.
 */
template <typename F, typename G>
static auto fresh_retry(F body, G again) -> decltype(body())
{
	for (int tries = 0;; tries++) {
		try {
			return body();
		} catch (const Xapian::DatabaseModifiedError &) {
			if (tries >= READ_TRIES)
				throw;
		} catch (const Xapian::DatabaseError &e) {
			if (!reused_block(e) || tries >= READ_TRIES)
				throw;
		}
		again();
	}
}

/* One local shard's generation (or plain database), opened read-only:
 * the latest revision, as a glass database only (xwrap.h: never a stub,
 * which could run a program); fsafe.h checked its files first. */
static Xapian::Database open_local(const char *path)
{
	return fresh_retry([&]() { return Xapian::Database(path, Xapian::DB_BACKEND_GLASS); },
			   []() {});
}

/* A remote shard (shardset.h): a xapian-tcpsrv, or a program the user
 * allowed. */
static Xapian::Database open_remote(const sou_shard &s, unsigned timeout_ms)
{
	if (s.program)
		return Xapian::Remote::open(s.program, s.args ? s.args : "", timeout_ms);
	return Xapian::Remote::open(s.host, s.port, timeout_ms, timeout_ms);
}

/*
 * SOU_XDB_PARTIAL: a thread that looks for the remote shards a reader
 * left out, every retry_s, each with the reader's timeout, and keeps the
 * connection of one that answers for the reader to take back at its
 * next search (sou_xdb_rejoin).  So a stalled shard costs one timeout,
 * in the search that finds it stalled, and none after that: the searches
 * go on without it while the thread waits for it.  The thread is
 * detached and owns the state with the reader (shared_ptr): a reader
 * closing never waits for a probe in flight, which ends on its own
 * within the timeout.
 */
struct probe_target {
	size_t k;                  /* index into the reader's shards */
	std::string host, program, args;
	unsigned port;
};

struct prober {
	std::mutex mu;
	std::condition_variable cv;
	bool stop = false, running = false;
	std::vector<probe_target> want;                        /* under mu */
	std::vector<std::pair<size_t, Xapian::Database> > back;  /* under mu */
	unsigned timeout_ms = 0;
	double every_s = 0;
};

static void probe_loop(std::shared_ptr<prober> P)
{
	std::unique_lock<std::mutex> lk(P->mu);
	while (!P->stop && !P->want.empty()) {
		P->cv.wait_for(lk, std::chrono::duration<double>(P->every_s),
			       [&]() { return P->stop; });
		if (P->stop)
			break;
		std::vector<probe_target> want = P->want;
		lk.unlock();
		for (const probe_target &t : want) {
			try {
				Xapian::Database d =
					t.program.empty()
						? Xapian::Remote::open(t.host, t.port, P->timeout_ms,
								       P->timeout_ms)
						: Xapian::Remote::open(t.program, t.args, P->timeout_ms);
				std::lock_guard<std::mutex> g(P->mu);
				P->back.emplace_back(t.k, d);
				P->want.erase(std::remove_if(P->want.begin(), P->want.end(),
							     [&](const probe_target &x) {
								     return x.k == t.k;
							     }),
					      P->want.end());
			} catch (...) {
				/* still down: looked for again next time */
			}
		}
		lk.lock();
	}
	P->running = false;
}

/* Has h's prober look for shard k (remote, just left out). */
static void probe_for(sou_xdb *h, size_t k)
{
	const sou_shard &s = h->shards.v[k];
	if (!h->probe) {
		h->probe = std::make_shared<prober>();
		h->probe->timeout_ms = h->timeout_ms;
		h->probe->every_s = h->retry_s;
	}
	std::lock_guard<std::mutex> g(h->probe->mu);
	for (const probe_target &t : h->probe->want)
		if (t.k == k)
			return;
	probe_target t;
	t.k = k;
	t.host = s.host ? s.host : "";
	t.port = s.port;
	t.program = s.program ? s.program : "";
	t.args = s.args ? s.args : "";
	h->probe->want.push_back(t);
	if (!h->probe->running) {
		h->probe->running = true;
		std::thread(probe_loop, h->probe).detach();
	}
}

/*
 * Parallel record fetches from remote shards (sou_xmset_prefetch).
 * Xapian 1.4's remote protocol answers one request at a time per
 * connection, a document costs a round trip of its own (its data and
 * all its values), and MSet::fetch() does not pipeline them for remote
 * shards, so N records from a remote shard cost N round trips one after
 * the other.  The pool keeps up to SOU_TUNE remote_pool more
 * connections to each remote shard, each owned by one worker thread, and
 * hands each record wanted to its shard's workers: N records cost about
 * N / remote_pool round trips per shard, the shards in parallel.
 *
 * A pool connection is an open of its own, which may see another
 * revision than the search's connection (a writer committed in
 * between).  A worker uses its connection only while the shard's uuid,
 * document count and last docid there are those the search saw (it
 * reopens once when they differ; then docids name the same posts, as an
 * incremental run replaces a post under its docid), and a record whose
 * hit carries its order value (the sort key; unique per post) must come
 * with that value.  Anything else is fetched over the search's own
 * connection afterwards, as without the pool.  A network failure or
 * timeout on a pool connection fails the fetch naming the shard, as one
 * on the search's connection would.
 */
enum { JOB_PENDING, JOB_DONE, JOB_FALLBACK, JOB_FAILED };

struct fetch_job {
	Xapian::docid did = 0;             /* in its shard */
	const std::string *want = nullptr; /* its order value, when known */
	std::string data;                  /* the record as stored */
	std::vector<std::pair<unsigned, std::string> > values;
	int state = JOB_PENDING;
	std::string why;                   /* JOB_FAILED: Xapian's description */
};

struct shard_state {
	std::string uuid;
	Xapian::doccount count = 0;
	Xapian::docid last = 0;
};

struct fetch_lane {
	std::deque<fetch_job *> q;
	std::vector<std::thread> threads;
	shard_state want;                  /* what the search's connection sees */
	const sou_shard *shard = nullptr;
};

struct fetch_pool {
	std::mutex mu;
	std::condition_variable work, done;
	bool stop = false;
	size_t pending = 0;
	unsigned timeout_ms = 0;
	/* one per shard of the reader (never moved: workers point into it) */
	std::unique_ptr<fetch_lane[]> lanes;
	size_t nlanes = 0;
	~fetch_pool()
	{
		{
			std::lock_guard<std::mutex> g(mu);
			stop = true;
		}
		work.notify_all();
		for (size_t k = 0; k < nlanes; k++)
			for (std::thread &t : lanes[k].threads)
				t.join();
	}
};

static shard_state state_of(const Xapian::Database &db)
{
	shard_state s;
	s.uuid = db.get_uuid();
	s.count = db.get_doccount();
	s.last = db.get_lastdocid();
	return s;
}

static bool same_state(const shard_state &a, const shard_state &b)
{
	return a.uuid == b.uuid && a.count == b.count && a.last == b.last;
}

/* One job on a worker's connection (opened on first use). */
static void fetch_one(Xapian::Database &db, bool &open, const sou_shard &s, unsigned timeout_ms,
		      const shard_state &want, fetch_job &j)
{
	try {
		if (!open) {
			db = open_remote(s, timeout_ms);
			open = true;
		}
		if (!same_state(state_of(db), want)) {
			db.reopen();
			if (!same_state(state_of(db), want)) {
				j.state = JOB_FALLBACK;
				return;
			}
		}
		Xapian::Document d = db.get_document(j.did);
		if (j.want && d.get_value(SOU_SLOT_ORDER) != *j.want) {
			j.state = JOB_FALLBACK;
			return;
		}
		j.data = d.get_data();
		for (Xapian::ValueIterator v = d.values_begin(); v != d.values_end(); ++v)
			j.values.emplace_back(v.get_valueno(), *v);
		j.state = JOB_DONE;
	} catch (const Xapian::NetworkError &e) {
		db = Xapian::Database();
		open = false;
		j.why = e.get_description();
		j.state = JOB_FAILED;
	} catch (...) {
		/* a docid gone meanwhile, say: the search's connection decides */
		j.state = JOB_FALLBACK;
	}
}

static void fetch_worker(fetch_pool *P, size_t k)
{
	Xapian::Database db;
	bool open = false;
	std::unique_lock<std::mutex> lk(P->mu);
	for (;;) {
		P->work.wait(lk, [&]() { return P->stop || !P->lanes[k].q.empty(); });
		if (P->stop)
			return;
		fetch_job *j = P->lanes[k].q.front();
		P->lanes[k].q.pop_front();
		shard_state want = P->lanes[k].want;
		const sou_shard &s = *P->lanes[k].shard;
		lk.unlock();
		fetch_one(db, open, s, P->timeout_ms, want, *j);
		lk.lock();
		if (--P->pending == 0)
			P->done.notify_all();
	}
}

/* Stops h's pool, if any (its workers are idle between fetches). */
static void drop_pool(sou_xdb *h)
{
	delete h->pool;
	h->pool = nullptr;
}

sou_xdb::~sou_xdb()
{
	drop_pool(this);
	if (probe) {
		std::lock_guard<std::mutex> g(probe->mu);
		probe->stop = true;
		probe->cv.notify_all();
	}
	sou_records_destroy(rec);
}

/*
 * (Re)opens the shards of reader h and makes them h->db, replacing the
 * old handle and locks only on success.  Errors name the shard.  With
 * h->partial, a remote shard that cannot be reached is left out (gone,
 * and looked for by the prober) unless no shard would be left, and the
 * shards already left out stay out: sou_xdb_rejoin takes them back.
 */
static sou_status open_readers(sou_xdb *h, sou_error *err)
{
	std::vector<sou_genhold *> holds;
	std::vector<Xapian::Database> subs;
	std::vector<size_t> live;
	std::vector<shard_gone> gone = h->gone;
	std::vector<size_t> lost;            /* left out by this open */
	std::unique_ptr<Xapian::Database> db;
	size_t i = 0;

	gone.resize(h->shards.n);
	drop_pool(h); /* its connections are to what is being replaced */
	try {
		for (i = 0; i < h->shards.n; i++) {
			const sou_shard &s = h->shards.v[i];
			Xapian::Database sub;
			if (gone[i].gone)
				continue;
			if (s.kind == SOU_SHARD_REMOTE) {
				try {
					sub = open_remote(s, h->timeout_ms);
				} catch (const Xapian::NetworkError &e) {
					std::string why = "cannot reach the shard: " + e.get_description();
					if (h->partial) {
						gone[i].gone = true;
						gone[i].why = why;
						lost.push_back(i);
						continue;
					}
					db.reset(); /* the locks only after the databases */
					release_holds(holds);
					return sou_error_set(err, SOU_ERR_DB, "%s: %s",
							     describe(s).c_str(), why.c_str());
				}
			} else {
				sou_genhold *g = NULL;
				sou_status st = sou_genlock_take(s.path, &g, err);
				if (st) {
					db.reset();
					release_holds(holds);
					return st;
				}
				holds.push_back(g);
				if ((st = sou_fsafe_check_glass(sou_genlock_path(g), err))) {
					/* a generation the stub names must hold one */
					if (st == SOU_ERR_NOTFOUND && strcmp(sou_genlock_path(g), s.path))
						st = sou_error_set(err, SOU_ERR_DB,
								   "%s: holds no Xapian database, so the "
								   "index is damaged: " SOU_GENLOCK_REBUILD_HINT,
								   sou_genlock_path(g));
					db.reset();
					release_holds(holds);
					return st;
				}
				sub = open_local(sou_genlock_path(g));
			}
			subs.push_back(sub);
			live.push_back(i);
			if (!db)
				db.reset(new Xapian::Database(sub));
			else
				db->add_database(sub);
		}
	} catch (...) {
		db.reset();
		release_holds(holds);
		/* one plain index keeps its old messages (path alone) */
		return fail_from_exception(err, i < h->shards.n ? describe(h->shards.v[i]).c_str()
								: h->path.c_str());
	}
	if (!db) {
		/* partial, and no shard answers: that is no answer at all */
		for (i = 0; i < h->shards.n && !gone[i].gone; i++)
			;
		release_holds(holds);
		return sou_error_set(err, SOU_ERR_DB, "%s: no shard answers (%s: %s)", h->path.c_str(),
				     i < h->shards.n ? describe(h->shards.v[i]).c_str() : "?",
				     i < h->shards.n ? gone[i].why.c_str() : "");
	}
	delete h->db;
	h->db = db.release();
	h->day_known = false;
	h->subs.swap(subs);
	h->live.swap(live);
	h->gone.swap(gone);
	h->dicts_loaded = false;
	h->losses += lost.size();
	subs.clear(); /* the old shards closed before their locks go */
	release_holds(h->holds);
	h->holds.swap(holds);
	h->broken = false;
	for (size_t k : lost)
		probe_for(h, k);
	return SOU_OK;
}

/*
 * The remote shard an error came from, when Xapian named its connection
 * in the context ("remote:tcp(HOST:PORT)", "remote:prog(PROGRAM ARGS)");
 * else NULL (a garbled reply, say, carries no context).
 */
static const sou_shard *remote_by_context(const sou_xdb *h, const Xapian::Error &e)
{
	const std::string &ctx = e.get_context();
	for (size_t i = 0; i < h->shards.n; i++) {
		const sou_shard &s = h->shards.v[i];
		if (s.kind != SOU_SHARD_REMOTE)
			continue;
		std::string want = s.program
			? "remote:prog(" + std::string(s.program) + " " + (s.args ? s.args : "") + ")"
			: "remote:tcp(" + std::string(s.host) + ":" + std::to_string(s.port) + ")";
		if (ctx == want)
			return &s;
	}
	return nullptr;
}

/* How many of h's shards are remote, and the last of them. */
static size_t remotes(const sou_xdb *h, const sou_shard **last)
{
	size_t n = 0;
	for (size_t i = 0; i < h->shards.n; i++)
		if (h->shards.v[i].kind == SOU_SHARD_REMOTE) {
			n++;
			*last = &h->shards.v[i];
		}
	return n;
}

/*
 * A remote shard failed during a read (Xapian::NetworkError, including
 * NetworkTimeoutError).  Marks h for reopening and names the shard: the
 * first remote one that cannot be reached now (each probed with the same
 * timeout), else the failure as Xapian described it.
 */
/*
 * Shard s of h failed during a read (description what): the error naming
 * it, and with h->partial, s is left out from the next read on (the
 * caller's search starts again without it) and looked for again.
 */
static sou_status shard_failed(sou_xdb *h, sou_error *err, const sou_shard &s,
			       const std::string &what)
{
	size_t k = (size_t)(&s - h->shards.v);
	h->broken = true;
	if (h->partial && k < h->shards.n) {
		h->gone.resize(h->shards.n);
		if (!h->gone[k].gone) {
			h->gone[k].gone = true;
			h->gone[k].why = "the shard failed: " + what;
			h->losses++;
			probe_for(h, k);
		}
	}
	return sou_error_set(err, SOU_ERR_DB, "%s: the shard failed: %s", describe(s).c_str(),
			     what.c_str());
}

static sou_status network_failed(sou_xdb *h, sou_error *err, const Xapian::Error &e)
{
	h->broken = true;
	/* Xapian names the connection in the context: then no probe (which
	 * could wait a second timeout) is needed */
	if (const sou_shard *s = remote_by_context(h, e))
		return shard_failed(h, err, *s, e.get_description());
	for (size_t i = 0; i < h->shards.n; i++) {
		const sou_shard &s = h->shards.v[i];
		if (s.kind != SOU_SHARD_REMOTE || (i < h->gone.size() && h->gone[i].gone))
			continue;
		try {
			Xapian::Database probe = open_remote(s, h->timeout_ms);
			(void)probe.get_lastdocid();
		} catch (const Xapian::Error &pe) {
			return shard_failed(h, err, s, e.get_description());
		} catch (...) {
			break;
		}
	}
	/* every shard answers a probe: the reply to this read was bad (a
	 * garbled stream has no context); name the shard when it is the
	 * only remote one */
	const sou_shard *only = nullptr;
	size_t n = remotes(h, &only);
	if (n == 1)
		return shard_failed(h, err, *only, e.get_description());
	return sou_error_set(err, SOU_ERR_DB,
			     "%s: one of its %zu remote shards failed (Xapian does not say which; "
			     "each answers on its own): %s", h->path.c_str(), n,
			     e.get_description().c_str());
}

/*
 * Runs fn(j, db) on each shard j of a reader (or fn(0, db) on the one
 * database when it has no separate shards), so that a network error names
 * the shard it came from: over a Database of several remote shards, a
 * reply garbled on the way carries no context, and the error could not
 * say which shard sent it (t0402).  The remote shards are asked at once:
 * every remote shard but one gets a thread of its own, started first, and
 * the caller's thread then takes that one and the local shards, so that a
 * lookup costs one round trip, not one per shard.  fn must touch only
 * what is shard j's own (its slot of the caller's per-shard results).
 * Errors are raised after every thread has ended, the first shard's
 * first.  Called inside reading().
 */
template <typename F>
static sou_status each_shard_at_once(sou_xdb *h, sou_error *err, F fn)
{
	if (h->subs.empty() || h->subs.size() != h->live.size()) {
		fn((size_t)0, *h->db);
		return SOU_OK;
	}
	size_t n = h->subs.size();
	std::vector<std::exception_ptr> failed(n);
	std::vector<char> here(n, 1);
	std::vector<std::thread> threads;
	auto run = [&](size_t j) {
		try {
			fn(j, h->subs[j]);
		} catch (...) {
			failed[j] = std::current_exception();
		}
	};
	bool kept_one = false;
	for (size_t j = 0; j < n; j++) {
		bool remote = h->live[j] < h->shards.n && is_remote(h, h->live[j]);
		if (remote && kept_one) {
			here[j] = 0;
			threads.emplace_back(run, j);
		}
		kept_one = kept_one || remote;
	}
	for (size_t j = 0; j < n; j++)
		if (here[j])
			run(j);
	for (std::thread &t : threads)
		t.join();
	for (size_t j = 0; j < n; j++) {
		if (!failed[j])
			continue;
		try {
			std::rethrow_exception(failed[j]);
		} catch (const Xapian::NetworkError &e) {
			if (h->live[j] < h->shards.n && is_remote(h, h->live[j]))
				return shard_failed(h, err, h->shards.v[h->live[j]], e.get_description());
			throw;
		}
	}
	return SOU_OK;
}

/*
 * At most limit terms of prefix p from every shard at once, the term
 * frequencies summed, into all (cleared first); *cut is set when a shard
 * had more.  Called inside reading().
 */
static sou_status scan_terms(sou_xdb *h, sou_error *err, const std::string &p, size_t limit,
			     std::map<std::string, Xapian::doccount> &all, int *cut)
{
	std::vector<std::vector<std::pair<std::string, Xapian::doccount> > > per(
		h->subs.empty() ? 1 : h->subs.size());
	std::vector<int> over(per.size(), 0);
	sou_status st = each_shard_at_once(h, err, [&](size_t j, Xapian::Database &d) {
		for (Xapian::TermIterator t = d.allterms_begin(p); t != d.allterms_end(p); ++t) {
			if (per[j].size() >= limit) {
				over[j] = 1;
				break;
			}
			per[j].emplace_back(*t, t.get_termfreq());
		}
	});
	all.clear();
	*cut = 0;
	for (size_t j = 0; !st && j < per.size(); j++) {
		*cut |= over[j];
		for (const auto &t : per[j])
			all[t.first] += t.second;
	}
	return st;
}

extern "C" {

sou_status sou_xdb_open(const char *path, int mode, sou_xdb **out, sou_error *err)
{
	*out = NULL;
	sou_xdb *h = NULL;
	try {
		h = new sou_xdb();
		h->path = path;
		h->wdb = NULL;
		h->db = NULL;
		h->shards = SOU_SHARDLIST_INIT;
		h->timeout_ms = 0;
		h->broken = false;
		h->pending = h->budget = 0;
		h->dangerous = false;
		if (mode == SOU_XDB_READ) {
			/* readers go through sou_xdb_open_reader */
			delete h;
			return sou_xdb_open_reader(path, NULL, out, err);
		}
		if (mode == SOU_XDB_SHARD) {
			/* nobody reads a shard while it is built and a killed
			 * build is redone, so neither fsync nor copy-on-write
			 * blocks buy anything (tune.h) */
			int action = Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS;
			if (sou_tune("shard_nosync", 1))
				action |= Xapian::DB_NO_SYNC;
			if (sou_tune("shard_dangerous", 1))
				action |= Xapian::DB_DANGEROUS;
			/* Xapian also flushes every XAPIAN_FLUSH_THRESHOLD (10000)
			 * documents, read when a database is opened; shards flush
			 * by their memory budget instead.  Set once, by the first
			 * shard, which is opened before any worker thread runs;
			 * a value the user set is kept. */
			static bool threshold_set;
			if (!threshold_set && sou_tune("shard_flush_mb", SOU_TUNE_SHARD_FLUSH_MB) > 0)
				setenv("XAPIAN_FLUSH_THRESHOLD", "1000000000", 0);
			threshold_set = true;
			h->wdb = new Xapian::WritableDatabase(path, action);
			h->db = h->wdb;
			h->dangerous = (action & Xapian::DB_DANGEROUS) != 0;
		} else {
			/* Glass only: a writer opens one generation (store.h),
			 * never a stub, which Xapian would follow (and a stub in
			 * an index from someone else may run a program).  An
			 * existing one is checked for FIFOs and the like first. */
			int action = (mode == SOU_XDB_CREATE ? Xapian::DB_CREATE_OR_OVERWRITE
							     : Xapian::DB_CREATE_OR_OPEN) |
				     Xapian::DB_BACKEND_GLASS;
			if (mode != SOU_XDB_CREATE) {
				struct stat sb;
				sou_status st = sou_fsafe_check_glass(path, err);
				/* nothing there is a new database; something there
				 * that is no glass database is not made one */
				if (st == SOU_ERR_NOTFOUND && lstat(path, &sb) == 0)
					st = sou_error_set(err, SOU_ERR_DB,
							   "%s: not a Xapian glass database, so the index "
							   "is damaged: " SOU_GENLOCK_REBUILD_HINT, path);
				if (st && st != SOU_ERR_NOTFOUND) {
					delete h;
					return st;
				}
			}
			h->wdb = new Xapian::WritableDatabase(path, action);
			h->db = h->wdb;
		}
		load_dicts(h, *h->wdb, true);
		*out = h;
		return SOU_OK;
	} catch (...) {
		delete h;
		sou_status st = fail_from_exception(err, path);
		if (st == SOU_ERR_LOCKED)
			sou_error_set(err, st, "%s: index is locked: another sou-index is writing it", path);
		return st;
	}
}

sou_status sou_xdb_open_reader(const char *path, const sou_xdb_reader_opts *o, sou_xdb **out,
			       sou_error *err)
{
	double timeout_s = o ? o->timeout_s : 0;
	unsigned flags = o && (o->flags & SOU_XDB_ALLOW_PROGRAMS) ? SOU_SHARDSET_ALLOW_PROGRAMS : 0;
	*out = NULL;
	std::unique_ptr<sou_xdb> h;
	try {
		h.reset(new sou_xdb());
	} catch (...) {
		return fail_from_exception(err, path);
	}
	h->path = path;
	h->wdb = NULL;
	h->db = NULL;
	h->shards = SOU_SHARDLIST_INIT;
	h->pending = h->budget = 0;
	h->dangerous = false;
	h->broken = false;
	h->partial = o && (o->flags & SOU_XDB_PARTIAL);
	if (o && o->retry_s > 0)
		h->retry_s = o->retry_s;
	if (!(timeout_s > 0))
		timeout_s = SOU_XDB_TIMEOUT_S;
	h->timeout_ms = timeout_s > 3600 ? 3600000u : (unsigned)(timeout_s * 1000.0 + 0.5);
	sou_status st = sou_shardset_resolve_flags(path, flags, &h->shards, err);
	if (!st)
		st = open_readers(h.get(), err);
	/* one message for every reader (sou-query, sou-serve, --status) */
	if (st == SOU_ERR_NOTFOUND)
		sou_error_set(err, st, "%s: no index here (run sou-index --db %s PATH first)", path,
			      path);
	if (st) {
		sou_shardlist_free(&h->shards);
		return st;
	}
	*out = h.release();
	return SOU_OK;
}

void sou_xdb_destroy(sou_xdb *h)
{
	if (!h)
		return;
	try {
		if (h->wdb)
			h->wdb->close();
	} catch (...) {
		/* closing is best effort: committed data is already safe */
	}
	delete h->db;
	release_holds(h->holds); /* after the files are closed */
	sou_shardlist_free(&h->shards);
	delete h;
}

static sou_status need_writer(sou_xdb *h, sou_error *err)
{
	if (!h->wdb)
		return sou_error_set(err, SOU_ERR_INTERNAL, "%s: database opened read-only",
				     h->path.c_str());
	return SOU_OK;
}

sou_status sou_xdb_replace(sou_xdb *h, const char *idterm, const sou_xdoc *doc,
			   sou_error *err)
{
	if (need_writer(h, err))
		return err ? err->code : SOU_ERR_INTERNAL;
	if (doc->failed)
		return sou_error_set(err, SOU_ERR_NOMEM, "building document failed");
	if (!*idterm || strlen(idterm) > SOU_XAPIAN_MAX_TERM)
		return sou_error_set(err, SOU_ERR_INTERNAL, "bad unique term length");
	errno = 0;
	try {
		if (h->rec && sou_records_packing(h->rec)) {
			/* the record in stored form (records.h); the handle shares
			 * doc's contents, so doc holds it from now on */
			Xapian::Document d(doc->doc);
			std::string rec = d.get_data();
			sou_buf z = SOU_BUF_INIT;
			sou_records_pack(h->rec, rec.data(), rec.size(), &z);
			d.set_data(std::string(z.data ? z.data : "", z.len));
			sou_buf_free(&z);
		}
		h->wdb->replace_document(idterm, doc->doc);
		if (h->budget) {
			h->pending += doc->mem + doc->doc.termlist_count() * PAIR_BYTES;
			if (h->pending >= h->budget) {
				h->wdb->commit();
				h->pending = 0;
			}
		}
		return SOU_OK;
	} catch (...) {
		return fail_writing(h, err, errno);
	}
}

void sou_xdb_set_flush_budget(sou_xdb *h, size_t bytes)
{
	h->budget = bytes;
}

sou_status sou_xdb_add_dict(sou_xdb *h, const char *dict, size_t len, sou_error *err)
{
	if (need_writer(h, err))
		return err ? err->code : SOU_ERR_INTERNAL;
	unsigned id = sou_records_dict_id(dict, len);
	if (!id)
		return SOU_OK; /* not a dictionary: records stay plain */
	char key[sizeof(SOU_META_ZDICT) + 8];
	snprintf(key, sizeof(key), SOU_META_ZDICT "%08x", id);
	errno = 0;
	try {
		/* stored first: no record is written with a dictionary the
		 * index would not hold */
		h->wdb->set_metadata(key, std::string(dict, len));
	} catch (...) {
		return fail_writing(h, err, errno);
	}
	sou_records_add_dict(h->rec, dict, len, 1);
	return SOU_OK;
}

sou_status sou_xdb_delete(sou_xdb *h, const char *idterm, sou_error *err)
{
	if (need_writer(h, err))
		return err ? err->code : SOU_ERR_INTERNAL;
	try {
		h->wdb->delete_document(idterm);
		return SOU_OK;
	} catch (...) {
		return fail_from_exception(err, h->path.c_str());
	}
}

sou_status sou_xdb_commit(sou_xdb *h, sou_error *err)
{
	if (need_writer(h, err))
		return err ? err->code : SOU_ERR_INTERNAL;
	errno = 0;
	try {
		h->wdb->commit();
		h->pending = 0;
		return SOU_OK;
	} catch (...) {
		return fail_writing(h, err, errno);
	}
}

sou_status sou_xdb_compact(const char *const *srcs, size_t n, const char *dest,
			   sou_error *err)
{
	try {
		Xapian::Database all;
		for (size_t i = 0; i < n; i++)
			all.add_database(Xapian::Database(srcs[i]));
		all.compact(dest, Xapian::DBCOMPACT_MULTIPASS | Xapian::DB_BACKEND_GLASS);
		return SOU_OK;
	} catch (...) {
		return fail_from_exception(err, dest);
	}
}

sou_status sou_xdb_check(const char *path, sou_buf *report, unsigned long *problems,
			 sou_error *err)
{
	sou_genhold *hold = NULL;
	sou_status st;

	*problems = 0;
	if ((st = sou_genlock_take(path, &hold, err)))
		return st;
	/* Xapian's check follows stubs too: glass directories only */
	if ((st = sou_fsafe_check_glass(sou_genlock_path(hold), err))) {
		sou_genlock_release(hold);
		return st;
	}
	try {
		std::ostringstream out;
		size_t n;
		try {
			n = Xapian::Database::check(sou_genlock_path(hold), 0, &out);
		} catch (const Xapian::DatabaseOpeningError &e) {
			if (e.get_error_string())
				throw; /* cannot read it: not a finding */
			out << e.get_description() << "\n";
			n = 1;
		} catch (const Xapian::DatabaseError &e) {
			if (e.get_error_string())
				throw;
			/* check stops at the first damage it cannot walk past */
			out << e.get_description() << "\n";
			n = 1;
		}
		std::string text = out.str();
		if (n && text.empty())
			text = "Xapian's check found errors\n";
		if (n) {
			/* the checker's findings, without its progress lines
			 * ("postlist:", "... checked OK", "Continuing check anyway") */
			size_t a = 0;
			while (a < text.size()) {
				size_t b = text.find('\n', a);
				if (b == std::string::npos)
					b = text.size();
				std::string l = text.substr(a, b - a);
				bool noise = l.empty() || l[l.size() - 1] == ':' ||
					     l.find("checked OK") != std::string::npos ||
					     l.find("Continuing check") != std::string::npos;
				if (!noise) {
					sou_buf_add(report, l.data(), l.size());
					sou_buf_addc(report, '\n');
				}
				a = b + 1;
			}
		}
		*problems = n;
		st = SOU_OK;
	} catch (...) {
		st = fail_from_exception(err, path);
	}
	sou_genlock_release(hold);
	return st;
}

sou_status sou_xdb_reopen(sou_xdb *h, sou_error *err)
{
	try {
		bool moved = h->broken;
		for (sou_genhold *g : h->holds)
			moved = moved || (!h->wdb && sou_genlock_moved(g));
		/* a rebuild switched generations (or a remote shard failed):
		 * open every shard again, then let go of the old generations
		 * so the writer can remove them */
		if (moved)
			return open_readers(h, err);
		h->day_known = false;
		h->db->reopen();
		return SOU_OK;
	} catch (const Xapian::NetworkError &e) {
		return network_failed(h, err, e);
	} catch (...) {
		return fail_from_exception(err, h->path.c_str());
	}
}

sou_status sou_xdb_rejoin(sou_xdb *h, sou_error *err)
{
	std::vector<std::pair<size_t, Xapian::Database> > back;
	if (!h->probe)
		return SOU_OK;
	{
		std::lock_guard<std::mutex> g(h->probe->mu);
		back.swap(h->probe->back);
	}
	if (back.empty())
		return SOU_OK;
	try {
		/* the shards searched now and the ones back, in stub order:
		 * no connection is made again (each is between requests) */
		std::vector<std::pair<size_t, Xapian::Database> > all;
		for (size_t k = 0; k < h->live.size(); k++)
			all.emplace_back(h->live[k], h->subs[k]);
		for (auto &b : back)
			if (b.first < h->gone.size() && h->gone[b.first].gone)
				all.push_back(b);
		std::sort(all.begin(), all.end(),
			  [](const std::pair<size_t, Xapian::Database> &a,
			     const std::pair<size_t, Xapian::Database> &b) { return a.first < b.first; });
		std::unique_ptr<Xapian::Database> db(new Xapian::Database(all[0].second));
		for (size_t k = 1; k < all.size(); k++)
			db->add_database(all[k].second);
		std::vector<Xapian::Database> subs;
		std::vector<size_t> live;
		for (auto &a : all) {
			subs.push_back(a.second);
			live.push_back(a.first);
			h->gone[a.first] = shard_gone();
		}
		drop_pool(h);
		delete h->db;
		h->db = db.release();
		h->day_known = false;
		h->subs.swap(subs);
		h->live.swap(live);
		h->dicts_loaded = false;
		return SOU_OK;
	} catch (...) {
		/* only std::bad_alloc: the prober finds them again */
		for (auto &b : back)
			probe_for(h, b.first);
		return fail_from_exception(err, h->path.c_str());
	}
}

size_t sou_xdb_shards(const sou_xdb *h)
{
	return h->shards.n ? h->shards.n : 1;
}

size_t sou_xdb_missing(const sou_xdb *h)
{
	size_t n = 0;
	for (const shard_gone &g : h->gone)
		n += g.gone;
	return n;
}

void sou_xdb_missing_shard(const sou_xdb *h, size_t k, sou_buf *who, sou_buf *why)
{
	for (size_t i = 0; i < h->gone.size(); i++)
		if (h->gone[i].gone && !k--) {
			try {
				std::string d = describe(h->shards.v[i]);
				sou_buf_add(who, d.data(), d.size());
			} catch (...) {
				sou_buf_adds(who, "?");
			}
			sou_buf_add(why, h->gone[i].why.data(), h->gone[i].why.size());
			return;
		}
}

unsigned long sou_xdb_losses(const sou_xdb *h)
{
	return h->losses;
}

sou_status sou_xdb_doccount(sou_xdb *h, unsigned long *n, sou_error *err)
{
	return reading(h, err, [&]() {
		*n = h->db->get_doccount();
		return SOU_OK;
	});
}

sou_status sou_xdb_lastdocid(sou_xdb *h, unsigned long *n, sou_error *err)
{
	return reading(h, err, [&]() {
		*n = h->db->get_lastdocid();
		return SOU_OK;
	});
}

sou_status sou_xdb_termfreq(sou_xdb *h, const char *term, unsigned long *n,
			    sou_error *err)
{
	std::vector<Xapian::doccount> per;
	sou_status st = reading(h, err, [&]() {
		per.assign(h->subs.empty() ? 1 : h->subs.size(), 0);
		return each_shard_at_once(h, err, [&](size_t j, Xapian::Database &d) {
			per[j] = d.get_termfreq(term);
		});
	});
	*n = 0;
	for (Xapian::doccount f : per)
		*n += f;
	return st;
}

sou_status sou_xdb_get_metadata(sou_xdb *h, const char *key, sou_buf *out,
				sou_error *err)
{
	return reading(h, err, [&]() {
		std::string v = h->db->get_metadata(key);
		sou_buf_reset(out);
		sou_buf_add(out, v.data(), v.size());
		return SOU_OK;
	});
}

sou_status sou_xdb_set_metadata(sou_xdb *h, const char *key, const char *value,
				size_t len, sou_error *err)
{
	if (need_writer(h, err))
		return err ? err->code : SOU_ERR_INTERNAL;
	try {
		h->wdb->set_metadata(key, std::string(value, len));
		return SOU_OK;
	} catch (...) {
		return fail_from_exception(err, h->path.c_str());
	}
}

sou_status sou_xdb_metadata_each(sou_xdb *h, const char *prefix, sou_xmeta_fn fn,
				 void *ctx, sou_error *err)
{
	if (h->wdb) { /* a writer's view never moves: stream */
		try {
			for (Xapian::TermIterator k = h->db->metadata_keys_begin(prefix);
			     k != h->db->metadata_keys_end(prefix); ++k) {
				std::string key = *k;
				std::string v = h->db->get_metadata(key);
				fn(ctx, key.data(), key.size(), v.data(), v.size());
			}
			return SOU_OK;
		} catch (...) {
			return fail_from_exception(err, h->path.c_str());
		}
	}
	/* a reader gathers first, so that a retry after the index moved on
	 * does not hand fn a mix of two revisions */
	std::vector<std::pair<std::string, std::string> > all;
	sou_status st = reading(h, err, [&]() {
		all.clear();
		for (Xapian::TermIterator k = h->db->metadata_keys_begin(prefix);
		     k != h->db->metadata_keys_end(prefix); ++k) {
			std::string key = *k;
			all.push_back(std::make_pair(key, h->db->get_metadata(key)));
		}
		return SOU_OK;
	});
	if (st)
		return st;
	for (const auto &kv : all)
		fn(ctx, kv.first.data(), kv.first.size(), kv.second.data(), kv.second.size());
	return SOU_OK;
}

/* Finds the docid for idterm; 0 if none. */
static Xapian::docid find_doc(Xapian::Database *db, const char *idterm)
{
	Xapian::PostingIterator p = db->postlist_begin(idterm);
	if (p == db->postlist_end(idterm))
		return 0;
	return *p;
}

sou_status sou_xdb_get_data(sou_xdb *h, const char *idterm, sou_buf *out,
			    sou_error *err)
{
	return reading(h, err, [&]() {
		Xapian::docid id = find_doc(h->db, idterm);
		if (!id)
			return sou_error_set(err, SOU_ERR_NOTFOUND, "%s: no post with id '%s'",
					     h->path.c_str(), idterm);
		std::string d = h->db->get_document(id).get_data();
		sou_status st = unpack(h, id, d, err);
		if (st)
			return st;
		sou_buf_reset(out);
		sou_buf_add(out, d.data(), d.size());
		return SOU_OK;
	});
}

/* Walks a Document's terms for sou_xdb_doc_terms and sou_xdoc_terms. */
static void each_term(const Xapian::Document &d, sou_xterm_fn fn, void *ctx)
{
	std::vector<unsigned> pos;
	for (Xapian::TermIterator t = d.termlist_begin(); t != d.termlist_end(); ++t) {
		std::string term = *t;
		pos.clear();
		for (Xapian::PositionIterator p = t.positionlist_begin();
		     p != t.positionlist_end(); ++p)
			pos.push_back(*p);
		fn(ctx, term.data(), term.size(), t.get_wdf(),
		   pos.empty() ? NULL : &pos[0], pos.size());
	}
}

/* One term of a document, gathered before fn sees it (below). */
struct term_entry {
	std::string term;
	unsigned wdf;
	std::vector<unsigned> pos;
};

static void gather_term(void *ctx, const char *term, size_t len, unsigned wdf,
			const unsigned *pos, size_t npos)
{
	std::vector<term_entry> *all = static_cast<std::vector<term_entry> *>(ctx);
	term_entry e;
	e.term.assign(term, len);
	e.wdf = wdf;
	if (npos)
		e.pos.assign(pos, pos + npos);
	all->push_back(e);
}

sou_status sou_xdb_doc_terms(sou_xdb *h, const char *idterm, sou_xterm_fn fn,
			     void *ctx, sou_error *err)
{
	/* gathered under the reader retry, so that a retry after the index
	 * moved on does not hand fn terms of two revisions */
	std::vector<term_entry> all;
	sou_status st = reading(h, err, [&]() {
		all.clear();
		Xapian::docid id = find_doc(h->db, idterm);
		if (!id)
			return sou_error_set(err, SOU_ERR_NOTFOUND, "%s: no post with id '%s'",
					     h->path.c_str(), idterm);
		each_term(h->db->get_document(id), gather_term, &all);
		return SOU_OK;
	});
	if (st)
		return st;
	for (const term_entry &e : all)
		fn(ctx, e.term.data(), e.term.size(), e.wdf, e.pos.empty() ? NULL : &e.pos[0],
		   e.pos.size());
	return SOU_OK;
}

sou_status sou_xdoc_terms(const sou_xdoc *d, sou_xterm_fn fn, void *ctx, sou_error *err)
{
	try {
		each_term(d->doc, fn, ctx);
		return SOU_OK;
	} catch (...) {
		return fail_from_exception(err, "document");
	}
}

sou_status sou_xdb_each_term(sou_xdb *h, const char *prefix, sou_xallterm_fn fn,
			     void *ctx, sou_error *err)
{
	/* gathered first under the reader retry, as in sou_xdb_doc_terms */
	std::vector<std::string> all;
	sou_status st = reading(h, err, [&]() {
		all.clear();
		for (Xapian::TermIterator t = h->db->allterms_begin(prefix);
		     t != h->db->allterms_end(prefix); ++t)
			all.push_back(*t);
		return SOU_OK;
	});
	if (st)
		return st;
	for (const std::string &t : all)
		fn(ctx, t.data(), t.size());
	return SOU_OK;
}

/* Terms one cached family holds at most; a larger one is not cached. */
#define TERM_CACHE_MAX 100000

/*
 * The state of every shard, as the connections now see it: uuid, post
 * count, last docid and total length (Xapian keeps these for a remote
 * shard from its last reply: no round trip).  A commit that changes none
 * of them (a post replaced by one of the very same length) is not seen:
 * a cached family then lags until the next change.
 */
static std::string shard_sig(sou_xdb *h)
{
	std::ostringstream o;
	if (h->subs.empty())
		o << h->db->get_uuid() << ' ' << h->db->get_doccount() << ' '
		  << h->db->get_lastdocid() << ' ' << h->db->get_total_length();
	for (Xapian::Database &d : h->subs)
		o << d.get_uuid() << ' ' << d.get_doccount() << ' ' << d.get_lastdocid() << ' '
		  << d.get_total_length() << ';';
	return o.str();
}

/* The cache of the family that holds prefix p, read (again) when the
 * shards changed; NULL when none is usable.  Called inside reading(). */
static sou_xdb::term_cache *cached_family(sou_xdb *h, const std::string &p, sou_error *err,
					  sou_status *st)
{
	*st = SOU_OK;
	for (sou_xdb::term_cache &c : h->caches) {
		if (p.compare(0, c.family.size(), c.family))
			continue;
		std::string sig = shard_sig(h);
		if (c.loaded && c.sig == sig)
			return c.usable ? &c : nullptr;
		std::map<std::string, Xapian::doccount> all;
		int over = 0;
		if ((*st = scan_terms(h, err, c.family, TERM_CACHE_MAX, all, &over)))
			return nullptr;
		bool usable = !over;
		c.terms.assign(all.begin(), all.end());
		c.usable = usable && c.terms.size() <= TERM_CACHE_MAX;
		if (!c.usable)
			c.terms.clear();
		c.sig = sig;
		c.loaded = true;
		return c.usable ? &c : nullptr;
	}
	return nullptr;
}

void sou_xdb_cache_terms(sou_xdb *h, const char *family)
{
	if (!sou_tune("term_cache", 1))
		return; /* SOU_TUNE term_cache=0: every lookup asks the shards */
	try {
		for (const sou_xdb::term_cache &c : h->caches)
			if (c.family == family)
				return;
		h->caches.emplace_back();
		h->caches.back().family = family;
	} catch (...) {
		abort(); /* allocation failure, as elsewhere */
	}
}

sou_status sou_xdb_each_term_tf(sou_xdb *h, const char *prefix, size_t prefix_len,
				size_t limit, sou_xallterm_tf_fn fn, void *ctx, int *more,
				sou_error *err)
{
	std::string cp(prefix, prefix_len);
	if (!h->caches.empty() && remote_shards(h)) {
		std::vector<std::pair<std::string, Xapian::doccount> > hits;
		bool cached = false;
		int cut = 0;
		sou_status st = reading(h, err, [&]() {
			sou_status cst;
			sou_xdb::term_cache *c = cached_family(h, cp, err, &cst);
			hits.clear();
			if (cst || !c)
				return cst;
			cached = true;
			auto i = std::lower_bound(c->terms.begin(), c->terms.end(),
						  std::make_pair(cp, Xapian::doccount(0)));
			for (; i != c->terms.end() && !i->first.compare(0, cp.size(), cp); ++i) {
				if (hits.size() >= limit) {
					cut = 1;
					break;
				}
				hits.push_back(*i);
			}
			return SOU_OK;
		});
		if (st)
			return st;
		if (cached) {
			if (more)
				*more = cut;
			for (const auto &t : hits)
				fn(ctx, t.first.data(), t.first.size(), (unsigned long)t.second);
			return SOU_OK;
		}
	}
	std::map<std::string, Xapian::doccount> all;
	int left = 0;
	/* every shard at once, each scan bounded by limit, the counts summed:
	 * the union of the shards' terms in term order */
	sou_status st = reading(h, err, [&]() { return scan_terms(h, err, cp, limit, all, &left); });
	if (st)
		return st;
	if (more)
		*more = left;
	size_t k = 0;
	for (const auto &t : all) {
		if (k++ >= limit) {
			if (more)
				*more = 1;
			break;
		}
		fn(ctx, t.first.data(), t.first.size(), (unsigned long)t.second);
	}
	return SOU_OK;
}

static void canonical_term(void *ctx, const char *term, size_t len, unsigned wdf,
			   const unsigned *pos, size_t npos)
{
	sou_buf *out = (sou_buf *)ctx;
	sou_buf_add(out, "term ", 5);
	sou_buf_add(out, term, len);
	sou_buf_addf(out, " wdf=%u pos=", wdf);
	for (size_t i = 0; i < npos; i++)
		sou_buf_addf(out, i ? ",%u" : "%u", pos[i]);
	sou_buf_addc(out, '\n');
}

sou_status sou_xdb_doc_canonical(sou_xdb *h, const char *idterm, sou_buf *out,
				 sou_error *err)
{
	/* out is rebuilt from its start on each try (sou_buf_reset first) */
	return reading(h, err, [&]() {
		Xapian::docid id = find_doc(h->db, idterm);
		if (!id)
			return sou_error_set(err, SOU_ERR_NOTFOUND, "%s: no post with id '%s'",
					     h->path.c_str(), idterm);
		Xapian::Document d = h->db->get_document(id);
		std::string data = d.get_data();
		sou_status st = unpack(h, id, data, err);
		if (st)
			return st;
		sou_buf_reset(out);
		sou_buf_addf(out, "doclen %u\ndata ", (unsigned)h->db->get_doclength(id));
		sou_buf_add(out, data.data(), data.size());
		sou_buf_addc(out, '\n');
		for (Xapian::ValueIterator v = d.values_begin(); v != d.values_end(); ++v) {
			std::string val = *v;
			sou_buf_addf(out, "value %u ", (unsigned)v.get_valueno());
			for (unsigned char c : val)
				sou_buf_addf(out, "%02x", c);
			sou_buf_addc(out, '\n');
		}
		each_term(d, canonical_term, out);
		return SOU_OK;
	});
}

/* ---- documents ----------------------------------------------------------- */

sou_xdoc *sou_xdoc_create(void)
{
	try {
		sou_xdoc *d = new sou_xdoc();
		d->dropped = 0;
		d->failed = false;
		d->mem = 0;
		return d;
	} catch (...) {
		abort(); /* as sou_xmalloc: allocation failure is fatal */
	}
}

void sou_xdoc_destroy(sou_xdoc *d)
{
	delete d;
}

static bool term_ok(sou_xdoc *d, size_t len)
{
	if (len == 0 || len > SOU_XAPIAN_MAX_TERM) {
		d->dropped++;
		return false;
	}
	return true;
}

void sou_xdoc_add_posting(sou_xdoc *d, const char *term, size_t len,
			  unsigned pos, unsigned wdfinc)
{
	if (!term_ok(d, len))
		return;
	try {
		d->doc.add_posting(std::string(term, len), pos, wdfinc);
		d->mem += POSITION_BYTES;
	} catch (...) {
		d->failed = true;
	}
}

void sou_xdoc_add_term(sou_xdoc *d, const char *term, size_t len, unsigned wdfinc)
{
	if (!term_ok(d, len))
		return;
	try {
		d->doc.add_term(std::string(term, len), wdfinc);
	} catch (...) {
		d->failed = true;
	}
}

void sou_xdoc_add_boolean(sou_xdoc *d, const char *term, size_t len)
{
	if (!term_ok(d, len))
		return;
	try {
		d->doc.add_boolean_term(std::string(term, len));
	} catch (...) {
		d->failed = true;
	}
}

void sou_xdoc_set_value(sou_xdoc *d, unsigned slot, const char *v, size_t len)
{
	try {
		d->doc.add_value(slot, std::string(v, len));
	} catch (...) {
		d->failed = true;
	}
}

void sou_xdoc_set_number(sou_xdoc *d, unsigned slot, double v)
{
	try {
		d->doc.add_value(slot, Xapian::sortable_serialise(v));
	} catch (...) {
		d->failed = true;
	}
}

void sou_xdoc_get_data(const sou_xdoc *d, sou_buf *out)
{
	sou_buf_reset(out);
	try {
		std::string s = d->doc.get_data();
		sou_buf_add(out, s.data(), s.size());
	} catch (...) {
		/* an in-memory document's data cannot fail to read */
	}
}

void sou_xdoc_set_data(sou_xdoc *d, const char *data, size_t len)
{
	try {
		d->doc.set_data(std::string(data, len));
		d->mem += len;
	} catch (...) {
		d->failed = true;
	}
}

unsigned sou_xdoc_dropped(const sou_xdoc *d)
{
	return d->dropped;
}

/* ---- queries ------------------------------------------------------------- */

static sou_xq *wrap(const Xapian::Query &q)
{
	try {
		sou_xq *h = new sou_xq();
		h->q = q;
		return h;
	} catch (...) {
		return NULL;
	}
}

sou_xq *sou_xq_term(const char *term, size_t len, unsigned wqf)
{
	try {
		return wrap(Xapian::Query(std::string(term, len), wqf ? wqf : 1));
	} catch (...) {
		return NULL;
	}
}

sou_xq *sou_xq_bool_term(const char *term, size_t len)
{
	try {
		return wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
					  Xapian::Query(std::string(term, len)), 0.0));
	} catch (...) {
		return NULL;
	}
}

sou_xq *sou_xq_combine(sou_xq_op op, sou_xq *const *subs, size_t n)
{
	Xapian::Query::op xop;

	switch (op) {
	case SOU_XQ_AND: xop = Xapian::Query::OP_AND; break;
	case SOU_XQ_OR: xop = Xapian::Query::OP_OR; break;
	case SOU_XQ_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
	case SOU_XQ_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
	case SOU_XQ_FILTER: xop = Xapian::Query::OP_FILTER; break;
	case SOU_XQ_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
	case SOU_XQ_SYNONYM: xop = Xapian::Query::OP_SYNONYM; break;
	default: return NULL;
	}
	try {
		std::vector<Xapian::Query> v;
		for (size_t i = 0; i < n; i++) {
			if (!subs[i])
				return NULL;
			v.push_back(subs[i]->q);
		}
		if (n == 1 && op != SOU_XQ_AND_NOT)
			return wrap(v[0]);
		if ((op == SOU_XQ_AND_NOT || op == SOU_XQ_AND_MAYBE || op == SOU_XQ_FILTER) && n > 2) {
			/* first OP (OR of the rest) */
			Xapian::Query rest(op == SOU_XQ_FILTER ? Xapian::Query::OP_AND
							       : Xapian::Query::OP_OR,
					   v.begin() + 1, v.end());
			return wrap(Xapian::Query(xop, v[0], rest));
		}
		return wrap(Xapian::Query(xop, v.begin(), v.end(),
					  op == SOU_XQ_PHRASE ? (Xapian::termcount)n : 0));
	} catch (...) {
		return NULL;
	}
}

sou_xq *sou_xq_scale(const sou_xq *q, double factor)
{
	if (!q)
		return NULL;
	try {
		return wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor));
	} catch (...) {
		return NULL;
	}
}

sou_xq *sou_xq_number_range(unsigned slot, int has_lo, double lo, int has_hi, double hi)
{
	try {
		if (has_lo && has_hi)
			return wrap(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot,
						  Xapian::sortable_serialise(lo),
						  Xapian::sortable_serialise(hi)));
		if (has_lo)
			return wrap(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot,
						  Xapian::sortable_serialise(lo)));
		if (has_hi)
			return wrap(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot,
						  Xapian::sortable_serialise(hi)));
		return wrap(Xapian::Query::MatchAll);
	} catch (...) {
		return NULL;
	}
}

sou_xq *sou_xq_match_all(void)
{
	return wrap(Xapian::Query::MatchAll);
}

sou_xq *sou_xq_match_nothing(void)
{
	return wrap(Xapian::Query::MatchNothing);
}

void sou_xq_destroy(sou_xq *q)
{
	delete q;
}

char *sou_xq_describe(const sou_xq *q)
{
	std::string s;
	try {
		s = q ? q->q.get_description() : std::string("(null)");
	} catch (...) {
		abort(); /* only allocation can fail here: fatal, as sou_xmalloc */
	}
	char *r = (char *)sou_xmalloc(s.size() + 1);
	memcpy(r, s.c_str(), s.size() + 1);
	return r;
}

size_t sou_xq_count_terms(const sou_xq *q)
{
	size_t n = 0;

	if (!q)
		return 0;
	try {
		for (Xapian::TermIterator t = q->q.get_unique_terms_begin();
		     t != q->q.get_unique_terms_end(); ++t)
			n++;
	} catch (...) {
		return (size_t)-1;
	}
	return n;
}

/* ---- stemming ------------------------------------------------------------ */

sou_xstem *sou_xstem_create(void)
{
	try {
		sou_xstem *st = new sou_xstem();
		st->stem = Xapian::Stem("english");
		return st;
	} catch (...) {
		return NULL;
	}
}

void sou_xstem_destroy(sou_xstem *st)
{
	delete st;
}

void sou_xstem_run(sou_xstem *st, const char *word, size_t len, sou_buf *out)
{
	sou_buf_reset(out);
	try {
		std::string r = st->stem(std::string(word, len));
		sou_buf_add(out, r.data(), r.size());
	} catch (...) {
		sou_buf_add(out, word, len); /* no stem: the word itself */
	}
}

/* ---- related posts ------------------------------------------------------- */

/*
 * What a post is about, in terms a person would recognise: Chinese
 * bigrams (index format 7 has no Chinese word terms; the caller joins
 * bigrams into the post's own words) and whole unprefixed words (Latin
 * words, numbers).  Not unigrams, filters or title copies; no one-byte
 * term and no lone non-ASCII character (a fragment of the words around
 * it).  A bigram with an ASCII unit ("G5g", half of a mixed chain) is
 * left out too: no word of the post is made of it alone.
 */
class TellingTerms : public Xapian::ExpandDecider {
public:
	bool operator()(const std::string &t) const override
	{
		const size_t gp = sizeof(SOU_PREFIX_BIGRAM) - 1;
		if (t.size() > gp && !t.compare(0, gp, SOU_PREFIX_BIGRAM) &&
		    !SOU_TERM_IS_PREFIXED(t[gp])) {
			for (size_t i = gp; i < t.size(); i++)
				if (!((unsigned char)t[i] & 0x80))
					return false;
			return true;
		}
		if (t.size() < 2 || SOU_TERM_IS_PREFIXED(t[0]))
			return false;
		unsigned char c = (unsigned char)t[0];
		size_t cp = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		return c < 0x80 || t.size() != cp;
	}
};

/* An ESet entry, ordered as Xapian 1.4 orders them (expand/esetinternal.h:
 * higher weight first, then the lexically greater term). */
struct expand_term {
	double wt;
	std::string term;
	bool operator<(const expand_term &o) const
	{
		if (wt > o.wt)
			return true;
		if (wt < o.wt)
			return false;
		return term > o.term;
	}
};

/*
 * What Enquire::get_eset(nterms, {id}, USE_EXACT_TERMFREQ, TellingTerms)
 * computes (Xapian 1.4's TradEWeight, expand_k 1, and its selection of
 * the best nterms, ties included), from the post's termlist and each
 * term's frequency over every shard: Xapian's own get_eset asks each
 * shard for each term's frequency, one round trip per term and remote
 * shard (hundreds per post), while here the remote shards answer all of
 * them at once, in the statistics of one query (2 round trips).  Same
 * inputs, same arithmetic: the terms and weights are Xapian's, in every
 * layout.
 */
sou_status sou_xdb_like_terms(sou_xdb *h, const char *idterm, unsigned nterms,
			      sou_strlist *terms, double **weights, sou_error *err)
{
	return sou_xdb_like_post(h, idterm, nterms, terms, weights, NULL, err);
}

sou_status sou_xdb_like_post(sou_xdb *h, const char *idterm, unsigned nterms,
			     sou_strlist *terms, double **weights, sou_buf *data, sou_error *err)
{
	size_t n0 = terms->n;

	*weights = NULL;
	return reading(h, err, [&]() {
		while (terms->n > n0) /* a retry chooses the terms again */
			free(terms->v[--terms->n]);
		free(*weights);
		*weights = NULL;
		/* the post: a query (2 round trips, the shards in parallel) */
		Xapian::docid id = 0;
		{
			Xapian::Enquire enq(*h->db);
			enq.set_query(Xapian::Query(idterm));
			enq.set_weighting_scheme(Xapian::BoolWeight());
			Xapian::MSet ms = enq.get_mset(0, 1);
			if (!ms.empty())
				id = *ms.begin();
		}
		if (!id)
			return sou_error_set(err, SOU_ERR_NOTFOUND, "no post '%s' in the index",
					     idterm + 1);
		Xapian::docid sub = id;
		size_t k = shard_of(h, id, &sub);
		size_t at = std::find(h->live.begin(), h->live.end(), k) - h->live.begin();
		Xapian::Database &sdb = at < h->subs.size() ? h->subs[at] : *h->db;
		if (at >= h->subs.size())
			sub = id;
		if (!nterms && !data)
			return SOU_OK;
		if (data) {
			std::string d = sdb.get_document(sub).get_data();
			sou_status st = unpack(h, id, d, err);
			if (st)
				return st;
			sou_buf_reset(data);
			sou_buf_add(data, d.data(), d.size());
		}
		if (!nterms)
			return SOU_OK;
		/* its terms (one round trip to its shard) */
		TellingTerms decider;
		std::vector<std::pair<std::string, Xapian::termcount> > cand;
		Xapian::termcount doclen = 0; /* Xapian's document length: the sum of wdf */
		for (Xapian::TermIterator t = sdb.termlist_begin(sub); t != sdb.termlist_end(sub); ++t) {
			doclen += t.get_wdf();
			if (decider(*t))
				cand.emplace_back(*t, t.get_wdf());
		}
		/* their frequencies over every shard: local ones directly, the
		 * remote ones from one query's statistics */
		std::vector<Xapian::doccount> tf(cand.size(), 0);
		std::unique_ptr<Xapian::Database> rdb;
		for (size_t j = 0; j < h->live.size(); j++) {
			if (!is_remote(h, h->live[j])) {
				for (size_t c = 0; c < cand.size(); c++)
					tf[c] += h->subs[j].get_termfreq(cand[c].first);
			} else if (!rdb) {
				rdb.reset(new Xapian::Database(h->subs[j]));
			} else {
				rdb->add_database(h->subs[j]);
			}
		}
		if (rdb && !cand.empty()) {
			std::vector<Xapian::Query> qs;
			for (auto &c : cand)
				qs.emplace_back(c.first);
			Xapian::Enquire enq(*rdb);
			enq.set_query(Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end()));
			Xapian::MSet ms = enq.get_mset(0, 0);
			for (size_t c = 0; c < cand.size(); c++)
				tf[c] += ms.get_termfreq(cand[c].first);
		}
		/* Xapian 1.4's ESet::Internal::expand with TradEWeight */
		const double expand_k = 1.0;
		Xapian::doccount dbsize = h->db->get_doccount();
		double avlen = h->db->get_avlength();
		double min_wt = 0;
		std::vector<expand_term> items;
		bool is_heap = false;
		for (size_t c = 0; c < cand.size(); c++) {
			Xapian::termcount wdf = cand[c].second ? cand[c].second : 1;
			Xapian::doccount rtermfreq = 1, termfreq = tf[c], rsize = 1;
			double multiplier = (expand_k + 1) * wdf / (expand_k * doclen / avlen + wdf);
			double reldocs_without_term = rsize - rtermfreq;
			double num = (rtermfreq + 0.5) * (dbsize - termfreq - reldocs_without_term + 0.5);
			double denom = (termfreq - rtermfreq + 0.5) * (reldocs_without_term + 0.5);
			double wt = multiplier * std::log(num / denom);
			if (wt <= min_wt)
				continue;
			items.push_back(expand_term{ wt, cand[c].first });
			if (items.size() > nterms) {
				if (!is_heap) {
					is_heap = true;
					std::make_heap(items.begin(), items.end());
				} else {
					std::push_heap(items.begin(), items.end());
				}
				std::pop_heap(items.begin(), items.end());
				items.pop_back();
				min_wt = items.front().wt;
			}
		}
		if (is_heap)
			std::sort_heap(items.begin(), items.end());
		else
			std::sort(items.begin(), items.end());
		if (items.empty())
			return SOU_OK;
		*weights = (double *)sou_xcalloc(items.size(), sizeof(double));
		for (size_t e = 0; e < items.size(); e++) {
			sou_strlist_push(terms, items[e].term.data(), items[e].term.size());
			(*weights)[e] = items[e].wt;
		}
		return SOU_OK;
	});
}

/* ---- searching ----------------------------------------------------------- */

/*
 * Everything below runs through Xapian's remote backend too, so it uses
 * only Xapian's registered built-ins (a stock xapian-tcpsrv can run them)
 * and works the rest out here:
 *   - facets: a ValueCountMatchSpy per slot counts each distinct value;
 *     a multi-valued one (tags "a\x1fb") is split here, adding its count
 *     to each of its parts, which gives the same counts as counting the
 *     parts per document;
 *   - recency: a ValueMapPostingSource over the day slot (schema.h), its
 *     map built here for the query's "now": day -> w * 2^(-age/halflife);
 *   - ties: ranks are broken by the order slot (date, then key), never by
 *     docid, which differs between one index and its shards.
 */

/*
 * The --recent posting source: weight * 2^(-age_days / halflife_days) for
 * each day from the newest post's down to where the boost is below
 * 1e-9 of its maximum (or the oldest post's day); days after now count
 * as now; posts older than the map get nothing.
 */
static Xapian::PostingSource *recency_source(sou_xdb *h, const sou_xsearch *o)
{
	/* the bounds first: over remote shards they can throw */
	if (!h->day_known) {
		h->day_lo = h->db->get_value_lower_bound(SOU_SLOT_DAY);
		h->day_hi = h->db->get_value_upper_bound(SOU_SLOT_DAY);
		h->day_known = true;
	}
	const std::string &lo = h->day_lo, &hi = h->day_hi;
	std::unique_ptr<Xapian::ValueMapPostingSource> src(
		new Xapian::ValueMapPostingSource(SOU_SLOT_DAY));
	long today = (long)std::floor(o->now / 86400.0) + SOU_DAY_OFFSET;
	long first = lo.empty() ? today : std::atol(lo.c_str());
	long last = hi.empty() ? today : std::atol(hi.c_str());
	/* 2^-30 < 1e-9: older days would add nothing a double keeps */
	long horizon = today - (long)std::ceil(30.0 * o->halflife_days);
	if (first < horizon)
		first = horizon;
	char key[32];
	for (long d = last; d >= first; d--) {
		double age = (double)(today - d);
		if (age < 0)
			age = 0;
		snprintf(key, sizeof(key), "%0*ld", SOU_DAY_WIDTH, d);
		src->add_mapping(key, o->recency_weight * std::exp2(-age / o->halflife_days));
	}
	src->set_default_weight(0.0);
	return src.release();
}

/* Sums a spy's counts into the parts of each multi-valued value. */
static void split_counts(const Xapian::ValueCountMatchSpy &spy,
			 std::map<std::string, unsigned long> &counts)
{
	for (Xapian::TermIterator v = spy.values_begin(); v != spy.values_end(); ++v) {
		const std::string &val = *v;
		unsigned long n = v.get_termfreq();
		size_t a = 0;
		while (a < val.size()) {
			size_t b = val.find(SOU_FACET_SEP, a);
			if (b == std::string::npos)
				b = val.size();
			if (b > a)
				counts[val.substr(a, b - a)] += n;
			a = b + 1;
		}
	}
}

sou_status sou_xdb_search(sou_xdb *h, const sou_xq *q, const sou_xsearch *o,
			  sou_xmset **out, sou_error *err)
{
	*out = NULL;
	if (!q)
		return sou_error_set(err, SOU_ERR_NOMEM, "query construction failed");
	return reading(h, err, [&]() {
		std::unique_ptr<sou_xmset> m;
		{
			Xapian::Enquire enq(*h->db);
			Xapian::Query query = q->q;
			if (o->halflife_days > 0 && o->recency_weight > 0 && o->sort == SOU_SORT_RELEVANCE &&
			    !o->unranked) {
				Xapian::PostingSource *src = recency_source(h, o);
				query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, query,
						      Xapian::Query(src->release()));
			}
			enq.set_query(query);
			/*
			 * Facets are counted in a pass of their own that asks for no
			 * hits: with remote shards, Xapian 1.4 also runs the spies on
			 * the client over the hits the servers return, on top of the
			 * servers' own counts, so a pass that returns hits counts
			 * some twice (seen in t0400: 221 for 166).  The pass is
			 * unweighted, in docid order, so it costs little.  The
			 * Enquire owns the spies (release()); the pointers stay valid
			 * while fenq lives, which covers reading them below.
			 */
			Xapian::Enquire fenq(*h->db);
			std::vector<Xapian::ValueCountMatchSpy *> spies;
			Xapian::MSet fms;
			if (o->nfacets) {
				fenq.set_query(q->q);
				fenq.set_weighting_scheme(Xapian::BoolWeight());
				fenq.set_docid_order(Xapian::Enquire::ASCENDING);
				for (size_t k = 0; k < o->nfacets; k++) {
					Xapian::ValueCountMatchSpy *spy =
						new Xapian::ValueCountMatchSpy(o->facet_slots[k]);
					fenq.add_matchspy(spy->release());
					spies.push_back(spy);
				}
				Xapian::doccount fcheck = o->facet_exact > o->check_at_least
								  ? o->facet_exact
								  : o->check_at_least;
				fms = fenq.get_mset(0, 0, fcheck);
			}
			if (o->unranked) {
				/* matches in docid order, no weights: cheapest to count */
				enq.set_weighting_scheme(Xapian::BoolWeight());
				enq.set_docid_order(Xapian::Enquire::ASCENDING);
			} else if (o->sort == SOU_SORT_DATE_DESC)
				enq.set_sort_by_value(SOU_SLOT_ORDER, true);
			else if (o->sort == SOU_SORT_DATE_ASC)
				enq.set_sort_by_value(SOU_SLOT_ORDER, false);
			else /* equal scores: newest first, then by key */
				enq.set_sort_by_relevance_then_value(SOU_SLOT_ORDER, true);
			bool carry = o->carry && !o->unranked && o->check_at_least == UINT_MAX &&
				     remote_shards(h);
			if (carry)
				enq.set_collapse_key(o->carry_slot, Xapian::doccount(-1));
			Xapian::MSet ms = enq.get_mset(o->offset, o->limit, o->check_at_least);
			m.reset(new sou_xmset());
			m->estimated = ms.get_matches_estimated();
			m->lower = ms.get_matches_lower_bound();
			m->upper = ms.get_matches_upper_bound();
			/* every ranked or date-sorted search sorts by the order
			 * value (ties by it), which the MSet then carries per hit */
			bool keyed = !o->unranked;
			for (Xapian::MSetIterator i = ms.begin(); i != ms.end(); ++i) {
				m->docids.push_back(*i);
				m->weights.push_back(i.get_weight());
				if (keyed)
					m->sort_keys.push_back(i.get_sort_key());
				if (carry) {
					m->values.resize(m->docids.size());
					m->all_values.resize(m->docids.size());
					m->values.back().emplace_back(o->carry_slot, i.get_collapse_key());
				}
				m->data.push_back(o->lazy_data ? std::string()
							       : i.get_document().get_data());
				m->state.push_back(o->lazy_data ? REC_NONE : REC_READY);
				sou_status st = unpack(h, *i, m->data.back(), err);
				if (st)
					return st;
			}
			for (Xapian::ValueCountMatchSpy *spy : spies) {
				facet_result fr;
				std::map<std::string, unsigned long> counts;
				split_counts(*spy, counts);
				std::vector<std::pair<std::string, unsigned long> > v(counts.begin(),
										      counts.end());
				std::sort(v.begin(), v.end(),
					  [](const std::pair<std::string, unsigned long> &a,
					     const std::pair<std::string, unsigned long> &b) {
						  return a.second != b.second ? a.second > b.second
									      : a.first < b.first;
					  });
				fr.seen = spy->get_total();
				fr.exact = fr.seen >= fms.get_matches_estimated() &&
					   fms.get_matches_lower_bound() ==
						   fms.get_matches_upper_bound();
				for (auto &p : v) {
					fr.values.push_back(p.first);
					fr.counts.push_back(p.second);
				}
				m->facets.push_back(fr);
			}
			for (facet_result &fr : m->facets)
				for (const std::string &v : fr.values)
					fr.ptrs.push_back(v.c_str());
			*out = m.release();
			return SOU_OK;
		}
	});
}

sou_status sou_xdb_doc_matches(sou_xdb *h, const sou_xq *q, unsigned docid, int *yes,
			       sou_error *err)
{
	*yes = 0;
	if (!q)
		return sou_error_set(err, SOU_ERR_NOMEM, "query construction failed");
	return reading(h, err, [&]() {
		/* asked of the shard holding it alone: its id term is unique,
		 * so no other shard can match, and a remote one costs its own
		 * round trips only */
		Xapian::docid sub = docid;
		size_t k = shard_of(h, docid, &sub);
		size_t at = std::find(h->live.begin(), h->live.end(), k) - h->live.begin();
		Xapian::Database &sdb = at < h->subs.size() ? h->subs[at] : *h->db;
		if (at >= h->subs.size())
			sub = docid;
		Xapian::TermIterator t = sdb.termlist_begin(sub);
		t.skip_to(SOU_PREFIX_ID);
		if (t == sdb.termlist_end(sub) || (*t).compare(0, 1, SOU_PREFIX_ID) != 0)
			return SOU_OK; /* no id term: not a post (cannot happen) */
		Xapian::Enquire enq(sdb);
		enq.set_query(Xapian::Query(Xapian::Query::OP_FILTER, q->q, Xapian::Query(*t)));
		enq.set_weighting_scheme(Xapian::BoolWeight());
		*yes = enq.get_mset(0, 1).size() > 0;
		return SOU_OK;
	});
}

size_t sou_xmset_size(const sou_xmset *m) { return m->docids.size(); }
unsigned long sou_xmset_estimated(const sou_xmset *m) { return m->estimated; }
unsigned long sou_xmset_lower(const sou_xmset *m) { return m->lower; }
unsigned long sou_xmset_upper(const sou_xmset *m) { return m->upper; }
double sou_xmset_weight(const sou_xmset *m, size_t i) { return m->weights[i]; }
unsigned sou_xmset_docid(const sou_xmset *m, size_t i) { return m->docids[i]; }

int sou_xdb_doc_holder(const sou_xdb *h, unsigned docid, sou_buf *out)
{
	try {
		std::string who = holder_of(h, docid);
		sou_buf_add(out, who.data(), who.size());
	} catch (...) {
		sou_buf_adds(out, "?"); /* std::bad_alloc only */
	}
	return docid && is_remote(h, shard_of(h, docid, nullptr));
}

const char *sou_xmset_data(const sou_xmset *m, size_t i, size_t *len)
{
	if (len)
		*len = m->data[i].size();
	return m->data[i].data();
}

sou_status sou_xmset_fetch(sou_xdb *h, sou_xmset *m, size_t i, const char **data,
			   size_t *len, sou_error *err)
{
	return reading(h, err, [&]() {
		if (m->state[i] == REC_NONE)
			m->data[i] = h->db->get_document(m->docids[i]).get_data();
		if (m->state[i] != REC_READY) {
			sou_status st = unpack(h, m->docids[i], m->data[i], err);
			if (st)
				return st;
			m->state[i] = REC_READY;
		}
		*data = m->data[i].data();
		*len = m->data[i].size();
		return SOU_OK;
	});
}

const char *sou_xmset_sort_key(const sou_xmset *m, size_t i, size_t *len)
{
	if (i >= m->sort_keys.size())
		return NULL;
	*len = m->sort_keys[i].size();
	return m->sort_keys[i].data();
}

/*
 * The values come as collapse keys: Xapian's MSet carries each hit's
 * collapse key, from remote shards in the same reply as the hits.  The
 * query matches the hits alone (their id terms), and collapse_max is
 * above any count, so nothing collapses and the collapser's cost (it
 * reads the slot of every match) is that of n posts.
 */
sou_status sou_xmset_prefetch_value(sou_xdb *h, sou_xmset *m, const size_t *idx,
				    const char *const *idterms, size_t n, unsigned slot,
				    sou_error *err)
{
	if (!remote_shards(h) || !n)
		return SOU_OK;
	/* hits whose value came with them (sou_xsearch carry) need none */
	std::vector<size_t> want;
	for (size_t x = 0; x < n; x++) {
		bool have = false;
		if (idx[x] < m->values.size())
			for (const auto &v : m->values[idx[x]])
				have = have || v.first == slot;
		if (!have)
			want.push_back(x);
	}
	if (want.empty())
		return SOU_OK;
	return reading(h, err, [&]() {
		std::vector<Xapian::Query> qs;
		for (size_t x : want)
			qs.emplace_back(idterms[x]);
		Xapian::Enquire enq(*h->db);
		enq.set_query(Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end()));
		enq.set_weighting_scheme(Xapian::BoolWeight());
		enq.set_docid_order(Xapian::Enquire::ASCENDING);
		enq.set_collapse_key(slot, Xapian::doccount(-1));
		Xapian::MSet ms = enq.get_mset(0, (Xapian::doccount)want.size());
		std::map<Xapian::docid, std::string> got;
		for (Xapian::MSetIterator i = ms.begin(); i != ms.end(); ++i)
			got[*i] = i.get_collapse_key();
		if (m->values.size() < m->docids.size()) {
			m->values.resize(m->docids.size());
			m->all_values.resize(m->docids.size());
		}
		for (size_t x : want) {
			size_t i = idx[x];
			auto g = i < m->docids.size() ? got.find(m->docids[i]) : got.end();
			if (g != got.end())
				m->values[i].emplace_back(slot, g->second);
		}
		return SOU_OK;
	});
}

/* Pool connections per remote shard (0: no pool). */
static size_t pool_size()
{
	long n = sou_tune("remote_pool", SOU_XDB_POOL);
	return n < 0 ? 0 : n > 64 ? 64 : (size_t)n;
}

sou_status sou_xmset_prefetch(sou_xdb *h, sou_xmset *m, const size_t *idx, size_t n,
			      sou_error *err)
{
	size_t P = pool_size(), nremote = 0;
	if (!P || n < 2)
		return SOU_OK;
	for (size_t k : h->live)
		nremote += is_remote(h, k);
	if (!nremote)
		return SOU_OK;
	std::vector<fetch_job> jobs;
	std::vector<size_t> hit, lane;
	for (size_t x = 0; x < n; x++) {
		size_t i = idx[x];
		Xapian::docid sub = 0;
		if (i >= m->docids.size())
			continue;
		size_t k = shard_of(h, m->docids[i], &sub);
		if (m->state[i] != REC_NONE || !is_remote(h, k))
			continue;
		jobs.emplace_back();
		jobs.back().did = sub;
		jobs.back().want = i < m->sort_keys.size() ? &m->sort_keys[i] : nullptr;
		hit.push_back(i);
		lane.push_back(k);
	}
	/* one record is no faster over the pool than over the search's own
	 * connection (sou_xmset_fetch) */
	if (jobs.size() < 2)
		return SOU_OK;
	sou_status st = reading(h, err, [&]() {
		if (!h->pool) {
			h->pool = new fetch_pool();
			h->pool->timeout_ms = h->timeout_ms;
			h->pool->lanes.reset(new fetch_lane[h->shards.n]);
			h->pool->nlanes = h->shards.n;
		}
		fetch_pool *pool = h->pool;
		std::unique_lock<std::mutex> lk(pool->mu);
		for (size_t k = 0; k < h->live.size(); k++) {
			fetch_lane &l = pool->lanes[h->live[k]];
			if (!is_remote(h, h->live[k]))
				continue;
			l.shard = &h->shards.v[h->live[k]];
			l.want = state_of(h->subs[k]); /* cached from the greeting: no round trip */
		}
		std::vector<size_t> per(h->shards.n);
		for (size_t j = 0; j < jobs.size(); j++) {
			pool->lanes[lane[j]].q.push_back(&jobs[j]);
			per[lane[j]]++;
		}
		/* a lane's workers start as it first needs them, up to P */
		for (size_t k = 0; k < h->shards.n; k++)
			while (pool->lanes[k].threads.size() < std::min(P, per[k]))
				pool->lanes[k].threads.emplace_back(fetch_worker, pool, k);
		pool->pending = jobs.size();
		pool->work.notify_all();
		pool->done.wait(lk, [&]() { return pool->pending == 0; });
		return SOU_OK;
	});
	if (st)
		return st;
	if (sou_tune("x_trace", 0)) {
		int c[4] = {0,0,0,0};
		for (auto &f : jobs) c[f.state]++;
		fprintf(stderr, "PF %zu jobs: done %d fallback %d failed %d\n", jobs.size(), c[1], c[2], c[3]);
	}
	for (size_t j = 0; j < jobs.size(); j++) {
		fetch_job &f = jobs[j];
		if (f.state == JOB_FAILED) {
			drop_pool(h);
			return shard_failed(h, err, h->shards.v[lane[j]], f.why);
		}
		if (f.state == JOB_DONE) {
			m->data[hit[j]].swap(f.data);
			m->state[hit[j]] = REC_RAW;
			if (m->values.size() < m->docids.size()) {
				m->values.resize(m->docids.size());
				m->all_values.resize(m->docids.size());
			}
			m->values[hit[j]].swap(f.values);
			m->all_values[hit[j]] = 1;
		}
	}
	return SOU_OK;
}

sou_status sou_xmset_value(sou_xdb *h, const sou_xmset *m, size_t i, unsigned slot,
			   sou_buf *out, sou_error *err)
{
	if (i < m->values.size()) {
		/* prefetched (sou_xmset_prefetch, sou_xmset_prefetch_value) */
		for (const auto &v : m->values[i])
			if (v.first == slot) {
				sou_buf_reset(out);
				sou_buf_add(out, v.second.data(), v.second.size());
				return SOU_OK;
			}
		if (m->all_values[i]) {
			sou_buf_reset(out);
			return SOU_OK;
		}
	}
	return reading(h, err, [&]() {
		std::string v = h->db->get_document(m->docids[i], Xapian::DOC_ASSUME_VALID)
					.get_value(slot);
		sou_buf_reset(out);
		sou_buf_add(out, v.data(), v.size());
		return SOU_OK;
	});
}

sou_xfacet sou_xmset_facet(const sou_xmset *m, size_t k)
{
	sou_xfacet f;
	const facet_result &r = m->facets[k];

	f.values = r.ptrs.empty() ? NULL : (const char **)&r.ptrs[0];
	f.counts = r.counts.empty() ? NULL : &r.counts[0];
	f.n = r.values.size();
	f.seen = r.seen;
	f.exact = r.exact;
	return f;
}

void sou_xmset_destroy(sou_xmset *m)
{
	delete m;
}

} /* extern "C" */
