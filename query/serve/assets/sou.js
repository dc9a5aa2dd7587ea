/*
 * sou.js - the search box of sou-serve, for its own page (/) and as a
 * drop-in for a site's layout:
 *
 *   <div data-sou data-sou-link="/{year}/{month}/{day}/{slug}.html"></div>
 *   <script src="https://search.example.com/sou.js" defer></script>
 *
 * It mounts into every element carrying data-sou and calls /search (and
 * /suggest for completions as the reader types) on the server it was
 * loaded from (data-sou-endpoint overrides; cross-origin
 * pages need sou-serve --cors ORIGIN).  Options, as data attributes:
 *   data-sou-history="on"   keep the query in the address (?q=…&tag=…&page=2)
 *                           so results can be shared and Back works
 *   data-sou-link="…"       how titles link: {path} (without extension),
 *                           {slug}, {year}, {month}, {day}, {categories}
 *                           (joined by /), {category} (the first); without
 *                           it, Jekyll's default permalink
 *                           /{categories}/{year}/{month}/{day}/{slug}.html;
 *                           "off": titles are plain text.  A post's own
 *                           front-matter permalink (Jekyll's :year, :title,
 *                           … or a style: date, pretty, none) wins, on the
 *                           template's origin
 *   data-sou-limit="10"     hits per page
 *   data-sou-css="off"      do not add the server's sou.css
 *   data-sou-autofocus="on" focus the box on load
 *   data-sou-slash="off"    leave "/" to the host page (otherwise "/"
 *                           focuses the page's first box)
 *
 * The box follows its container (sou.css: @container): in a narrow one
 * (a sidebar, a phone) the facets and date fields fold away behind one
 * 筛选 button.  Facets show 10 values, the rest behind a "more" button;
 * counts the server only estimated read "≈N".
 *
 * Completions are an ARIA combobox: the box owns a listbox of options,
 * moved through with the arrow keys (aria-activedescendant), taken with
 * Enter or a click, closed with Escape; never asked for during an input
 * method's composition.  A search that finds nothing offers the query
 * sou-serve suggests ("loosened"), a malformed query is explained in
 * Chinese, and while typing an unfinished query (a half-typed quote)
 * keeps the last results.  A server that does not answer is retried,
 * more slowly each time, until it does.
 *
 * Everything from the index (titles, snippets, tags) is put into the page
 * as text nodes (textContent), never parsed as HTML, and with its
 * bidirectional controls shown as \u202E and the like (shown(): an
 * override in a title would reorder it, "gnp.exe" read as "exe.png").
 * Links from the link template never leave the template's own origin
 * (postLink).  Highlights arrive as
 * UTF-8 byte ranges [start, end) and are cut from the UTF-8 bytes of the
 * text, so they land on the same characters whatever the JavaScript
 * string offsets are.
 */
(function () {
	'use strict';

	var script = document.currentScript;
	var base = new URL('.', script && script.src ? script.src : location.href);
	var enc = new TextEncoder();
	var dec = new TextDecoder();
	var DEBOUNCE_MS = 250;
	var SUGGEST_MS = 80;
	var RETRY_MS = [1000, 2000, 5000, 10000, 30000];
	var FACET_SHOWN = 10;   /* values of a facet shown before "more" */
	var FACET_LIMIT = 100;  /* values asked for (facet_limit=) */
	var uid = 0;

	/* Text from the index as shown: each bidirectional embedding,
	 * override or isolate (U+202A-U+202E, U+2066-U+2069) as its escape,
	 * so none reorders what follows it. */
	function shown(text) {
		return String(text).replace(/[\u202A-\u202E\u2066-\u2069]/g, function (c) {
			return '\\u' + c.charCodeAt(0).toString(16).toUpperCase();
		});
	}

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined && text !== null)
			e.textContent = shown(text);
		return e;
	}

	/* Appends text to parent with the byte ranges wrapped in <mark>. */
	function highlighted(parent, text, ranges) {
		var bytes = enc.encode(String(text || '')), at = 0;
		(Array.isArray(ranges) ? ranges : []).forEach(function (r) {
			var s = Array.isArray(r) ? r[0] : -1, e = Array.isArray(r) ? r[1] : -1;
			if (!Number.isInteger(s) || !Number.isInteger(e) || s < at || e <= s ||
			    e > bytes.length)
				return;
			if (s > at)
				parent.appendChild(document.createTextNode(shown(dec.decode(bytes.subarray(at, s)))));
			parent.appendChild(el('mark', null, dec.decode(bytes.subarray(s, e))));
			at = e;
		});
		if (at < bytes.length)
			parent.appendChild(document.createTextNode(shown(dec.decode(bytes.subarray(at)))));
	}

	/*
	 * The post's URL from the link template, or null (no template, or a
	 * link that would not be http(s) on the template's own origin).
	 * Every value from the index (path, slug, date, categories) goes in
	 * as percent-encoded path segments, with empty, "." and ".." segments
	 * left out; runs of slashes after the template's own scheme and host
	 * collapse to one, so an empty category cannot make "//evil.com/…"
	 * (a protocol-relative URL: another host); and the result must have
	 * the origin the template has with its placeholders filled in
	 * harmlessly ("x"), so no value can choose the host.
	 */
	function postLink(tpl, hit) {
		if (!tpl)
			return null;
		var path = String(hit.path || '');
		var file = path.replace(/^.*\//, '');
		var noext = path.replace(/\.[^./]*$/, '');
		var fm = /^(\d{4})-(\d{1,2})-(\d{1,2})-(.*?)(\.[^.]*)?$/.exec(file);
		var slug = fm ? fm[4] : file.replace(/\.[^.]*$/, '');
		var ymd = typeof hit.date === 'string' ? hit.date.slice(0, 10).split('-') :
			fm ? [fm[1], ('0' + fm[2]).slice(-2), ('0' + fm[3]).slice(-2)] : ['', '', ''];
		var cats = (Array.isArray(hit.categories) ? hit.categories : []).map(String);
		var segs = function (list) {
			return list.filter(function (s) { return s !== '' && s !== '.' && s !== '..'; })
				.map(function (s) { return encodeURIComponent(s); }).join('/');
		};
		var vals = {
			path: segs(noext.split('/')),
			slug: segs([slug]),
			year: segs([ymd[0] || '']), month: segs([ymd[1] || '']), day: segs([ymd[2] || '']),
			categories: segs(cats),
			category: segs([cats[0] || ''])
		};
		var has = function (k) { return Object.prototype.hasOwnProperty.call(vals, k); };
		var filled = tpl.replace(/\{(\w+)\}/g, function (m, k) { return has(k) ? vals[k] : m; });
		/* the template's own "scheme://host" or "//host", kept as is */
		var auth = /^(?:[a-z][a-z0-9+.\-]*:)?\/\/[^\/\\?#{]*/i.exec(tpl);
		var pre = auth && filled.slice(0, auth[0].length) === auth[0] ? auth[0] : '';
		var rest = filled.slice(pre.length);
		var cut = rest.search(/[?#]/);
		if (cut < 0)
			cut = rest.length;
		rest = rest.slice(0, cut).replace(/[\/\\]{2,}/g, '/') + rest.slice(cut);
		try {
			var u = new URL(pre + rest, location.href);
			var want = new URL(tpl.replace(/\{(\w+)\}/g, function (m, k) { return has(k) ? 'x' : m; }),
					   location.href);
			if (u.protocol !== 'http:' && u.protocol !== 'https:')
				return null;
			return u.origin === want.origin ? u.href : null;
		} catch (e) {
			return null;
		}
	}

	/* Jekyll's default permalink ("date" style) as a link template. */
	var JEKYLL_DEFAULT = '/{categories}/{year}/{month}/{day}/{slug}.html';
	var JEKYLL_STYLES = {
		date: '/:categories/:year/:month/:day/:title:output_ext',
		pretty: '/:categories/:year/:month/:day/:title/',
		none: '/:categories/:title:output_ext'
	};
	var JEKYLL_NAMES = { year: 'year', month: 'month', day: 'day', title: 'slug', slug: 'slug',
			     categories: 'categories', output_ext: '' };

	/*
	 * A post's front-matter permalink as a link template on the origin of
	 * tpl (the page's link template), or null when it cannot be followed
	 * (not a path, or a placeholder sou does not know: :i_month, :y_day…).
	 */
	function permalinkTemplate(perm, tpl) {
		perm = String(perm || '');
		if (Object.prototype.hasOwnProperty.call(JEKYLL_STYLES, perm))
			perm = JEKYLL_STYLES[perm];
		if (perm.charAt(0) !== '/' || perm.charAt(1) === '/' || /[{}\\]/.test(perm))
			return null;
		var bad = false;
		var t = perm.replace(/:([a-z_]+)/g, function (m, k) {
			if (!Object.prototype.hasOwnProperty.call(JEKYLL_NAMES, k)) {
				bad = true;
				return m;
			}
			return k === 'output_ext' ? '.html' : '{' + JEKYLL_NAMES[k] + '}';
		});
		if (bad)
			return null;
		var auth = /^(?:[a-z][a-z0-9+.\-]*:)?\/\/[^\/\\?#{]*/i.exec(tpl || '');
		return (auth ? auth[0] : '') + t;
	}

	/* The link of a hit: its permalink, else the template (or none). */
	function hitLink(tpl, hit) {
		if (!tpl)
			return null;
		var pt = hit.permalink ? permalinkTemplate(hit.permalink, tpl) : null;
		return pt ? postLink(pt, hit) : postLink(tpl, hit);
	}

	function addStylesheet() {
		if (document.querySelector('link[data-sou-css]'))
			return;
		var l = document.createElement('link');
		l.rel = 'stylesheet';
		l.href = new URL('sou.css', base).href;
		l.setAttribute('data-sou-css', '');
		document.head.appendChild(l);
	}

	function mount(root) {
		if (root.getAttribute('data-sou-mounted'))
			return;
		root.setAttribute('data-sou-mounted', '1');
		var ds = root.dataset;
		var opts = {
			history: ds.souHistory === 'on',
			link: ds.souLink === 'off' ? '' : ds.souLink || JEKYLL_DEFAULT,
			limit: Math.max(1, Math.min(100, parseInt(ds.souLimit, 10) || 10)),
			endpoint: new URL(ds.souEndpoint || 'search', base).href
		};
		opts.suggest = new URL('suggest', opts.endpoint).href;
		if (ds.souCss !== 'off')
			addStylesheet();
		var id = 'sou' + (++uid);
		var state = { q: '', tags: [], cats: [], date: '', sort: 'relevance', page: 0 };
		var timer = 0, composing = false, seq = 0, ctrl = null;
		var sTimer = 0, sSeq = 0, sCtrl = null, active_i = -1, retries = 0, rTimer = 0;
		var moreOpen = { tag: false, month: false }, filtersOpen = false;
		var baseTitle = document.title;

		/* ---- the box ---- */
		var box = el('div', 'sou');
		var form = el('form', 'sou-form');
		form.setAttribute('role', 'search');
		form.noValidate = true;
		var row = el('div', 'sou-row');
		var label = el('label', 'sou-visually-hidden', '搜索文章');
		label.htmlFor = id + '-q';
		var input = el('input', 'sou-input');
		input.type = 'search';
		input.id = id + '-q';
		input.name = 'q';
		input.autocomplete = 'off';
		input.spellcheck = false;
		input.setAttribute('enterkeyhint', 'search');
		input.placeholder = '搜索文章，如 人民币 汇率';
		input.setAttribute('aria-describedby', id + '-status');
		/* completions: the box is a combobox owning the listbox */
		var list = el('ul', 'sou-suggest');
		list.id = id + '-suggest';
		list.setAttribute('role', 'listbox');
		list.setAttribute('aria-label', '搜索建议');
		list.hidden = true;
		input.setAttribute('role', 'combobox');
		input.setAttribute('aria-autocomplete', 'list');
		input.setAttribute('aria-expanded', 'false');
		input.setAttribute('aria-controls', list.id);
		var field = el('div', 'sou-combo');
		field.append(input, list);
		var go = el('button', 'sou-go', '搜索');
		go.type = 'submit';
		row.append(label, field, go);

		var filters = el('div', 'sou-filters');
		/* in a narrow container (a sidebar, a phone) the date fields and
		 * the facets fold away behind this one button (sou.css) */
		var toggle = el('button', 'sou-filter-toggle');
		toggle.type = 'button';
		toggle.append(el('span', null, '筛选'), el('span', 'sou-filter-n'));
		toggle.setAttribute('aria-expanded', 'false');
		toggle.setAttribute('aria-controls', id + '-dates ' + id + '-facets');
		var dates = el('span', 'sou-dates');
		dates.id = id + '-dates';
		filters.append(toggle, dates);
		function monthField(text, name) {
			var l = el('label', 'sou-field');
			var i = el('input', 'sou-month');
			i.type = 'month';
			i.name = name;
			i.placeholder = 'YYYY-MM';
			i.setAttribute('pattern', '\\d{4}-\\d{2}');
			l.append(el('span', null, text), i);
			dates.append(l);
			return i;
		}
		var from = monthField('从', 'from');
		var to = monthField('到', 'to');
		var sortLabel = el('label', 'sou-field');
		var sort = el('select', 'sou-sort');
		sort.name = 'sort';
		[['relevance', '相关度'], ['-date', '最新'], ['date', '最早']].forEach(function (o) {
			var op = el('option', null, o[1]);
			op.value = o[0];
			sort.append(op);
		});
		sortLabel.append(el('span', null, '排序'), sort);
		filters.append(sortLabel);
		form.append(row, filters);

		var active = el('div', 'sou-active');
		var status = el('p', 'sou-status');
		status.id = id + '-status';
		status.setAttribute('role', 'status');
		status.setAttribute('aria-live', 'polite');
		var main = el('div', 'sou-main');
		var results = el('ol', 'sou-results');
		results.tabIndex = -1;
		results.setAttribute('aria-label', '搜索结果');
		var facets = el('aside', 'sou-facets');
		facets.id = id + '-facets';
		facets.setAttribute('aria-label', '筛选');
		main.append(results, facets);
		var pager = el('nav', 'sou-pager');
		pager.setAttribute('aria-label', '分页');
		var prev = el('button', 'sou-prev', '上一页');
		prev.type = 'button';
		var pageInfo = el('span', 'sou-page');
		var next = el('button', 'sou-next', '下一页');
		next.type = 'button';
		pager.append(prev, pageInfo, next);
		pager.hidden = true;
		box.append(form, active, status, main, pager);
		root.textContent = '';
		root.append(box);

		/* ---- state <-> address and form ---- */
		function toParams(s) {
			var p = new URLSearchParams();
			if (s.q)
				p.set('q', s.q);
			s.tags.forEach(function (t) { p.append('tag', t); });
			s.cats.forEach(function (c) { p.append('category', c); });
			if (s.date)
				p.set('date', s.date);
			if (s.sort !== 'relevance')
				p.set('sort', s.sort);
			return p;
		}
		function fromAddress() {
			var p = new URLSearchParams(location.search);
			var sortv = p.get('sort');
			return {
				q: p.get('q') || '',
				tags: p.getAll('tag').filter(Boolean),
				cats: p.getAll('category').filter(Boolean),
				date: p.get('date') || '',
				sort: sortv === 'date' || sortv === '-date' ? sortv : 'relevance',
				page: Math.max(0, (parseInt(p.get('page'), 10) || 1) - 1)
			};
		}
		function address() {
			var p = toParams(state);
			if (state.page)
				p.set('page', String(state.page + 1));
			var s = p.toString();
			return location.pathname + (s ? '?' + s : '') + location.hash;
		}
		/* mode: 'push'; 'typing' (one entry per run of typing); 'submit'
		 * (ends a run of typing: its entry becomes an ordinary one);
		 * 'none' (the address already says it: load, Back) */
		function remember(mode) {
			if (!opts.history || mode === 'none')
				return;
			var url = address();
			var typingNow = history.state && history.state.souTyping;
			if (url === location.pathname + location.search + location.hash) {
				if (mode !== 'typing' && typingNow)
					history.replaceState({ souTyping: false }, '', url);
				return;
			}
			if ((mode === 'typing' || mode === 'submit') && typingNow)
				history.replaceState({ souTyping: mode === 'typing' }, '', url);
			else
				history.pushState({ souTyping: mode === 'typing' }, '', url);
		}
		function showForm() {
			if (input.value !== state.q)
				input.value = state.q;
			var m = /^(\d{4}-\d{2})?(\.\.)?(\d{4}-\d{2})?$/.exec(state.date);
			from.value = m ? (m[1] || '') : '';
			to.value = m ? (m[2] ? (m[3] || '') : (m[1] || '')) : '';
			sort.value = state.sort;
		}
		function dateFromForm() {
			var a = from.value, b = to.value;
			if (a && b)
				return a === b ? a : (a < b ? a + '..' + b : b + '..' + a);
			if (a)
				return a + '..';
			if (b)
				return '..' + b;
			return '';
		}

		/* ---- rendering ---- */
		function chip(text, onRemove) {
			var b = el('button', 'sou-chip');
			b.type = 'button';
			b.append(el('span', null, text), el('span', 'sou-x', '×'));
			b.setAttribute('aria-label', '去掉筛选 ' + text);
			b.addEventListener('click', onRemove);
			active.append(b);
		}
		function showActive() {
			active.textContent = '';
			state.tags.forEach(function (t) {
				chip('标签：' + t, function () {
					state.tags = state.tags.filter(function (x) { return x !== t; });
					run('push');
				});
			});
			state.cats.forEach(function (c) {
				chip('分类：' + c, function () {
					state.cats = state.cats.filter(function (x) { return x !== c; });
					run('push');
				});
			});
			if (state.date)
				chip('日期：' + state.date, function () { state.date = ''; showForm(); run('push'); });
			var n = state.tags.length + state.cats.length + (state.date ? 1 : 0);
			toggle.querySelector('.sou-filter-n').textContent = n ? '（' + n + '）' : '';
		}
		function toggleTag(t) {
			var i = state.tags.indexOf(t);
			if (i >= 0)
				state.tags.splice(i, 1);
			else
				state.tags.push(t);
			run('push');
		}
		/*
		 * One facet: its first FACET_SHOWN values, the rest behind a
		 * "more" button (a disclosure: aria-expanded, aria-controls; its
		 * state kept across searches in moreOpen[key]).  Counts the
		 * server only estimated (the facet's "exact": false: the spies
		 * did not see every match) read "≈N", with a title saying so.
		 */
		function facetList(title, key, facet, values, isOn, onClick) {
			if (!values || !values.length)
				return;
			var estimated = facet.exact === false;
			var sec = el('section', 'sou-facet sou-facet-' + key);
			var h = el('h2', null, title);
			sec.append(h);
			var ul = el('ul');
			ul.id = id + '-facet-' + key;
			values.forEach(function (v, k) {
				var li = el('li');
				var b = el('button', 'sou-facet-value');
				b.type = 'button';
				b.setAttribute('aria-pressed', isOn(v.value) ? 'true' : 'false');
				var c = el('span', 'sou-count', (estimated ? '≈' : '') + v.count);
				if (estimated) {
					c.classList.add('sou-estimated');
					c.title = '估计数：匹配的文章太多，按统计到的部分推算';
					b.setAttribute('aria-label', shown(v.value) + '，约 ' + v.count + ' 篇（估计数）');
				}
				b.append(el('span', 'sou-facet-name', v.value), c);
				b.addEventListener('click', function () { onClick(String(v.value)); });
				li.append(b);
				if (k >= FACET_SHOWN) {
					li.className = 'sou-facet-more';
					li.hidden = !moreOpen[key];
				}
				ul.append(li);
			});
			sec.append(ul);
			if (values.length > FACET_SHOWN) {
				var rest = values.length - FACET_SHOWN;
				var more = el('button', 'sou-more');
				more.type = 'button';
				more.setAttribute('aria-controls', ul.id);
				var label = function () {
					more.setAttribute('aria-expanded', moreOpen[key] ? 'true' : 'false');
					more.textContent = moreOpen[key] ? '收起' : '更多（' + rest + '）';
				};
				label();
				more.addEventListener('click', function () {
					moreOpen[key] = !moreOpen[key];
					Array.prototype.forEach.call(ul.querySelectorAll('.sou-facet-more'),
								     function (li) { li.hidden = !moreOpen[key]; });
					label();
				});
				sec.append(more);
			}
			facets.append(sec);
		}
		function showHits(data) {
			results.textContent = '';
			(data.hits || []).forEach(function (h) {
				var li = el('li', 'sou-hit');
				var h2 = el('h2', 'sou-title');
				var href = hitLink(opts.link, h);
				var t = el(href ? 'a' : 'span');
				if (href)
					t.href = href;
				highlighted(t, h.title || h.path, h.title ? h.title_highlights : []);
				h2.append(t);
				var meta = el('div', 'sou-meta');
				if (typeof h.date === 'string') {
					var tm = el('time', null, h.date.slice(0, 10));
					tm.dateTime = h.date;
					meta.append(tm);
				}
				if (Array.isArray(h.tags) && h.tags.length) {
					var tags = el('ul', 'sou-tags');
					tags.setAttribute('aria-label', '标签');
					h.tags.forEach(function (tag) {
						var tl = el('li');
						var tb = el('button', 'sou-tag', tag);
						tb.type = 'button';
						tb.title = '只看标签 ' + shown(tag);
						tb.addEventListener('click', function () {
							if (state.tags.indexOf(String(tag)) < 0)
								toggleTag(String(tag));
						});
						tl.append(tb);
						tags.append(tl);
					});
					meta.append(tags);
				}
				var snip = el('p', 'sou-snippet');
				highlighted(snip, h.snippet, h.highlights);
				li.append(h2, meta, snip);
				results.append(li);
			});
			results.start = (data.offset || 0) + 1;
		}
		function showFacets(data) {
			facets.textContent = '';
			var f = data.facets || {};
			/* tags by posts (the server's order); months newest first */
			facetList('标签', 'tag', f.tag || {}, f.tag && f.tag.values,
				  function (v) { return state.tags.indexOf(String(v)) >= 0; }, toggleTag);
			var months = f.month && Array.isArray(f.month.values) ? f.month.values.slice() : [];
			months.sort(function (a, b) { return a.value < b.value ? 1 : a.value > b.value ? -1 : 0; });
			facetList('月份', 'month', f.month || {}, months,
				  function (v) { return state.date === String(v); },
				  function (v) {
					  state.date = state.date === v ? '' : v;
					  showForm();
					  run('push');
				  });
		}
		function showPager(total) {
			var pages = Math.max(1, Math.ceil(total / opts.limit));
			pager.hidden = total <= opts.limit && state.page === 0;
			prev.disabled = state.page === 0;
			next.disabled = state.page + 1 >= pages;
			pageInfo.textContent = '第 ' + (state.page + 1) + ' / ' + pages + ' 页';
		}
		function clear(text) {
			results.textContent = '';
			facets.textContent = '';
			pager.hidden = true;
			status.textContent = text || '';
			box.classList.remove('sou-busy');
		}
		/* The count: exact when its bounds meet (README "Counts"). */
		function countText(d) {
			var total = d.estimated_total || 0;
			if (!total)
				return '没有找到结果';
			var exact = d.total_lower_bound === d.total_upper_bound;
			return (exact ? '' : '约 ') + total + ' 条结果';
		}
		/* A nearby query that finds posts (sou-serve's "loosened"), as a
		 * button that searches it. */
		function offer(l) {
			if (!l || typeof l.query !== 'string' || !l.query)
				return;
			status.append(document.createTextNode(l.did_you_mean ? '。您是不是要找：' : '。试试：'));
			var b = el('button', 'sou-offer', l.query);
			b.type = 'button';
			b.addEventListener('click', function () {
				state.q = l.query;
				showForm();
				run('push');
				input.focus();
			});
			status.append(b);
			if (Number.isInteger(l.total))
				status.append(document.createTextNode('（' + (l.total_exact ? '' : '约 ') +
								      l.total + ' 条）'));
		}
		/* A query error from the server, in the page's language. */
		var ERRORS = [
			[/unclosed quote/, '引号没有闭合'],
			[/OR needs a term on each side/, 'OR 两边都要有词'],
			[/excluded term cannot be part of OR/, '排除的词不能放在 OR 里'],
			[/must be followed by a word to exclude/, '“-”后面要跟要排除的词'],
			[/empty phrase/, '引号里是空的'],
			[/needs a value/, '筛选条件缺少值'],
			[/longer than any indexed word/, '有个词太长，不可能匹配'],
			[/only punctuation/, '只有标点，没有可搜索的词'],
			[/too long|too large|over the .*limit/, '查询太长'],
			[/date|month|year/, '日期写法有误（如 2022、2022-03、2022-01..2022-06）']
		];
		function queryError(msg) {
			for (var i = 0; i < ERRORS.length; i++)
				if (ERRORS[i][0].test(String(msg)))
					return '查询有误：' + ERRORS[i][1];
			return '查询有误';
		}
		function setTitle() {
			if (opts.history)
				document.title = state.q ? state.q + ' - ' + baseTitle : baseTitle;
		}

		/* ---- completions ---- */
		function closeList() {
			clearTimeout(sTimer);
			sSeq++;
			if (sCtrl)
				sCtrl.abort();
			list.hidden = true;
			list.textContent = '';
			active_i = -1;
			input.setAttribute('aria-expanded', 'false');
			input.removeAttribute('aria-activedescendant');
		}
		function options() {
			return list.querySelectorAll('[role="option"]');
		}
		function highlightOption(i) {
			var o = options();
			active_i = o.length ? (i + o.length) % o.length : -1;
			Array.prototype.forEach.call(o, function (x, k) {
				x.setAttribute('aria-selected', k === active_i ? 'true' : 'false');
			});
			if (active_i >= 0) {
				input.setAttribute('aria-activedescendant', o[active_i].id);
				o[active_i].scrollIntoView({ block: 'nearest' });
			} else {
				input.removeAttribute('aria-activedescendant');
			}
		}
		function take(text) {
			closeList();
			input.value = text;
			state.q = text;
			run('submit');
		}
		function showList(items) {
			list.textContent = '';
			active_i = -1;
			items.forEach(function (it, k) {
				var li = el('li', 'sou-option');
				li.id = id + '-opt-' + k;
				li.setAttribute('role', 'option');
				li.setAttribute('aria-selected', 'false');
				li.append(el('span', 'sou-option-text', it.text),
					  el('span', 'sou-count', it.posts));
				/* mousedown, not click: the box keeps the focus */
				li.addEventListener('mousedown', function (e) {
					e.preventDefault();
					take(String(it.text));
				});
				list.append(li);
			});
			list.hidden = !items.length;
			input.setAttribute('aria-expanded', items.length ? 'true' : 'false');
			input.removeAttribute('aria-activedescendant');
		}
		function suggest() {
			var v = input.value.trim();
			if (composing || !v || document.activeElement !== input) {
				closeList();
				return;
			}
			var my = ++sSeq;
			if (sCtrl)
				sCtrl.abort();
			sCtrl = typeof AbortController === 'function' ? new AbortController() : null;
			fetch(opts.suggest + '?' + new URLSearchParams({ q: v, limit: '8' }).toString(), {
				headers: { Accept: 'application/json' },
				credentials: 'omit',
				signal: sCtrl ? sCtrl.signal : undefined
			}).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
				if (my !== sSeq || composing || input.value.trim() !== v)
					return;
				var items = j && Array.isArray(j.suggestions) ? j.suggestions.filter(function (x) {
					return x && typeof x.text === 'string' && x.text !== v;
				}) : [];
				showList(items);
			}).catch(function () {
				if (my === sSeq)
					closeList();
			});
		}

		/* ---- searching ---- */
		function run(mode) {
			clearTimeout(timer);
			timer = 0;
			clearTimeout(rTimer);
			rTimer = 0;
			var again = mode === 'retry' || mode === 'page-retry';
			if (!again)
				retries = 0;
			setTitle();
			if (mode !== 'none' && mode !== 'typing' && mode !== 'page' && !again)
				state.page = 0;
			remember(again ? 'none' : mode === 'page' ? 'push' : mode);
			showActive();
			var p = toParams(state);
			if (!p.toString() || (p.toString() === 'sort=' + state.sort)) {
				if (ctrl)
					ctrl.abort();
				seq++;
				clear('');
				return;
			}
			p.set('limit', String(opts.limit));
			p.set('offset', String(state.page * opts.limit));
			p.set('facets', 'tag,month');
			p.set('facet_limit', String(FACET_LIMIT));
			var my = ++seq;
			if (ctrl)
				ctrl.abort();
			ctrl = typeof AbortController === 'function' ? new AbortController() : null;
			box.classList.add('sou-busy');
			fetch(opts.endpoint + '?' + p.toString(), {
				headers: { Accept: 'application/json' },
				credentials: 'omit',
				signal: ctrl ? ctrl.signal : undefined
			}).then(function (r) {
				return r.json().then(function (j) { return { ok: r.ok, j: j }; },
						     function () { return { ok: false, j: null, code: r.status }; });
			}).then(function (res) {
				if (my !== seq)
					return;
				box.classList.remove('sou-busy');
				if (!res.ok) {
					var e = res.j && res.j.error, msg = e && e.message;
					var code = e && e.status || res.code;
					if (code === 400 && msg) {
						/* while typing, an unfinished query (a half-
						 * typed quote) keeps the last results */
						if (mode === 'typing' && results.childNodes.length)
							status.textContent = queryError(msg) + '（继续输入…）';
						else
							clear(queryError(msg));
						return;
					}
					retry(mode);
					return;
				}
				retries = 0;
				var d = res.j, total = d.estimated_total || 0;
				showHits(d);
				showFacets(d);
				showPager(total);
				status.textContent = countText(d);
				if (!total)
					offer(d.loosened);
				/* sou-serve --partial: shards that did not answer (by count:
				 * their addresses are the operator's, not the reader's) */
				var missing = (d.missing_shards || []).length;
				if (missing)
					status.append(document.createTextNode('（' + missing +
									      ' 个分片未响应，结果不完整）'));
				if (mode === 'page') {
					results.focus({ preventScroll: true });
					root.scrollIntoView({ block: 'start' });
				}
			}).catch(function (e) {
				if (my !== seq || (e && e.name === 'AbortError'))
					return;
				box.classList.remove('sou-busy');
				retry(mode);
			});
		}
		/* The server did not answer (down, restarting, a 503): say so and
		 * ask again, later each time, until it answers or the reader asks
		 * something else.  Results already shown stay. */
		function retry(mode) {
			var wait = RETRY_MS[Math.min(retries, RETRY_MS.length - 1)];
			retries++;
			status.textContent = '搜索暂时不可用，' + Math.round(wait / 1000) + ' 秒后重试…';
			rTimer = setTimeout(function () {
				rTimer = 0;
				run(mode === 'page' ? 'page-retry' : 'retry');
			}, wait);
		}
		function typed() {
			if (composing)
				return;
			var v = input.value;
			if (v === state.q)
				return;
			state.q = v;
			state.page = 0;
			run('typing');
		}

		/* ---- events ---- */
		input.addEventListener('compositionstart', function () {
			composing = true;
			clearTimeout(timer);
			closeList();
		});
		input.addEventListener('compositionend', function () {
			composing = false;
			clearTimeout(timer);
			timer = setTimeout(typed, DEBOUNCE_MS);
			clearTimeout(sTimer);
			sTimer = setTimeout(suggest, SUGGEST_MS);
		});
		input.addEventListener('input', function (e) {
			if (composing || e.isComposing)
				return;
			clearTimeout(timer);
			timer = setTimeout(typed, DEBOUNCE_MS);
			clearTimeout(sTimer);
			sTimer = setTimeout(suggest, SUGGEST_MS);
		});
		input.addEventListener('keydown', function (e) {
			if (composing || e.isComposing)
				return;
			var open = !list.hidden && options().length;
			if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
				if (open) {
					e.preventDefault();
					highlightOption(active_i < 0 ? (e.key === 'ArrowDown' ? 0 : -1)
						       : active_i + (e.key === 'ArrowDown' ? 1 : -1));
				} else if (e.key === 'ArrowDown' && results.querySelector('.sou-title a, .sou-tag')) {
					/* from the box into the results */
					e.preventDefault();
					results.querySelector('.sou-title a, .sou-tag').focus();
				}
			} else if (e.key === 'Enter' && open && active_i >= 0) {
				e.preventDefault();
				take(options()[active_i].querySelector('.sou-option-text').textContent);
			} else if (e.key === 'Escape' && open) {
				e.preventDefault();
				closeList();
			}
		});
		input.addEventListener('blur', function () { closeList(); });
		form.addEventListener('submit', function (e) {
			e.preventDefault();
			composing = false;
			closeList();
			state.q = input.value;
			run('submit');
		});
		toggle.addEventListener('click', function () {
			filtersOpen = !filtersOpen;
			toggle.setAttribute('aria-expanded', filtersOpen ? 'true' : 'false');
			box.classList.toggle('sou-open', filtersOpen);
		});
		/* in the results, ArrowDown/ArrowUp step from title to title;
		 * ArrowUp from the first goes back to the box */
		results.addEventListener('keydown', function (e) {
			if ((e.key !== 'ArrowDown' && e.key !== 'ArrowUp') || e.altKey || e.ctrlKey ||
			    e.metaKey || e.shiftKey)
				return;
			var t = e.target && e.target.closest ? e.target.closest('.sou-hit') : null;
			if (!t)
				return;
			var hits = Array.prototype.slice.call(results.querySelectorAll('.sou-hit'));
			var k = hits.indexOf(t) + (e.key === 'ArrowDown' ? 1 : -1);
			var to = k < 0 ? input : hits[k] && hits[k].querySelector('.sou-title a, .sou-tag');
			if (to) {
				e.preventDefault();
				to.focus();
			}
		});
		function dateChanged() {
			var d = dateFromForm();
			if (d !== state.date) {
				state.date = d;
				run('push');
			}
		}
		from.addEventListener('change', dateChanged);
		to.addEventListener('change', dateChanged);
		sort.addEventListener('change', function () {
			state.sort = sort.value;
			run('push');
		});
		prev.addEventListener('click', function () {
			if (state.page > 0) {
				state.page--;
				run('page');
			}
		});
		next.addEventListener('click', function () {
			state.page++;
			run('page');
		});
		if (opts.history) {
			window.addEventListener('popstate', function () {
				state = fromAddress();
				showForm();
				run('none');
			});
			state = fromAddress();
			history.replaceState({ souTyping: false }, '', location.href);
		}
		/* "/" anywhere on the page (not while typing elsewhere) focuses
		 * the first box; data-sou-slash="off" leaves "/" to the host */
		if (uid === 1 && ds.souSlash !== 'off')
			document.addEventListener('keydown', function (e) {
				var t = e.target;
				if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !e.defaultPrevented &&
				    !(t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) {
					e.preventDefault();
					input.focus();
					input.select();
				}
			});
		showForm();
		if (ds.souAutofocus === 'on' && !state.q)
			input.focus();
		run('none');
	}

	function mountAll() {
		Array.prototype.forEach.call(document.querySelectorAll('[data-sou]'), mount);
	}
	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', mountAll);
	else
		mountAll();
})();
