#!/usr/bin/python3
"""page_test.py - sou-serve's search page in a real browser (Debian's
chromium, headless, driven through chromedriver by python3-selenium).

Run by tests/cli/t0302-serve-browser.sh against a server over the sample
corpus started with --cors http://127.0.0.1:HOSTPORT:
    page_test.py URL CHROMIUM CHROMEDRIVER PROFILE_DIR SCREENSHOT HOSTPORT
It serves a stand-in "blog" page on HOSTPORT (and another on a port not
allowed by --cors) to try /sou.js as a drop-in, and on HOSTPORT/sidebar
the box in a 320 px sidebar.  Screenshots at 1280 px, 390 px and in the
sidebar go to $SOU_SHOTS (default: the directory of SCREENSHOT).

Each step is a check printed as "ok - ..." or "FAIL: ...", then
"N passed, N failed"; exit 0 only when all passed.  Highlights are
compared with the API's byte ranges cut from the UTF-8 bytes in Python,
so the page's byte-to-character conversion is checked hit by hit.
"""
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

URL, CHROMIUM, DRIVER, PROFILE, SHOT, HOSTPORT = sys.argv[1:7]
URL = URL.rstrip('/') + '/'
SHOTS = os.environ.get('SOU_SHOTS') or os.path.dirname(os.path.abspath(SHOT))
FACET_LIMIT = 100  # the values per facet the page asks for (sou.js FACET_LIMIT)
# a host theme's rules of element names alone (step 15): the box must not move
HOSTILE = ('aside, nav, ul, ol, li, button, section, h2, p, form, label, select, input '
           '{float: right; width: 50px; display: inline; margin: 40px; padding: 30px; '
           'position: relative; left: 100px; font-size: 30px}')
WAIT = 20  # seconds; generous for sanitized builds on a loaded machine
passes = fails = 0


def check(desc, ok, detail=''):
    global passes, fails
    if ok:
        passes += 1
        print('ok - ' + desc)
    else:
        fails += 1
        print('FAIL: %s %s' % (desc, detail), file=sys.stderr)


def api(**params):
    """The API's answer for the same parameters the page sends."""
    q = urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(URL + 'search?' + q, timeout=30) as r:
        return json.load(r)


def cut(text, ranges):
    b = text.encode('utf-8')
    return [b[s:e].decode('utf-8') for s, e in ranges]


def blog(port):
    """A stand-in for a site's own page embedding the drop-in; serves on
    port, with /sidebar: the box in a 320 px wide sidebar of a wide page."""
    page = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>博客</title>'
            '</head><body><h1>我的博客</h1><div id="box" data-sou data-sou-limit="5" '
            'data-sou-link="/{path}/"></div><script src="%ssou.js" defer></script></body></html>'
            % URL).encode('utf-8')
    side = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>博客</title>'
            '<style>body {margin: 0} .wrap {display: flex; gap: 24px}'
            ' .content {flex: 1; padding: 0 16px} .sidebar {flex: none; width: 320px}</style>'
            '</head><body><div class="wrap"><div class="content"><h1>我的博客</h1><p>正文。</p></div>'
            '<div class="sidebar"><div id="box" data-sou data-sou-link="/{path}/"></div></div></div>'
            '<script src="%ssou.js" defer></script></body></html>' % URL).encode('utf-8')
    pages = {'/': page, '/sidebar': side}

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path in pages else 404)
            self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.end_headers()
            if self.path in pages:
                self.wfile.write(pages[self.path])

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(('127.0.0.1', port), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


opts = webdriver.ChromeOptions()
opts.binary_location = CHROMIUM
for a in ('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync',
          '--disable-dev-shm-usage', '--disable-extensions', '--lang=zh-CN',
          '--user-data-dir=' + PROFILE, '--window-size=1200,1000'):
    opts.add_argument(a)
opts.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
wait = WebDriverWait(driver, WAIT)


def js(script, *args):
    return driver.execute_script(script, *args)


def query_params():
    return urllib.parse.parse_qs(urllib.parse.urlparse(driver.current_url).query)


def until(desc, fn):
    try:
        wait.until(lambda d: fn())
        return True
    except TimeoutException:
        check(desc, False, '(timed out after %d s; address %s)' % (WAIT, driver.current_url))
        return False


def shown(sel):
    """Whether the element sel is rendered (has boxes)."""
    return js("const e = document.querySelector(arguments[0]); return !!e && e.getClientRects().length > 0", sel)


def folded(driver, root, desc):
    """A narrow box: the first hit starts inside the window, and the facets
    and date fields are behind the 筛选 button (collapsed)."""
    r = js("""
        const root = document.querySelector(arguments[0]);
        const hit = root.querySelector('.sou-hit').getBoundingClientRect();
        const t = root.querySelector('.sou-filter-toggle');
        return {top: hit.top, bottom: hit.bottom, vh: window.innerHeight,
                toggle: !!t && t.getClientRects().length > 0 && t.tagName,
                expanded: t && t.getAttribute('aria-expanded'),
                controls: t && t.getAttribute('aria-controls').split(' ')
                              .map(i => !!document.getElementById(i))};
    """, root)
    check('%s: the first hit starts above the fold' % desc, 0 <= r['top'] < r['vh'], repr(r))
    check('%s: one 筛选 button, collapsed' % desc, r['toggle'] == 'BUTTON' and r['expanded'] == 'false'
          and r['controls'] == [True, True], repr(r))
    check('%s: facets folded away' % desc, not shown(root + ' .sou-facets') and
          not shown(root + ' .sou-facet-value'))
    check('%s: date fields folded away' % desc, not shown(root + ' .sou-month'))
    check('%s: sorting stays at hand' % desc, shown(root + ' .sou-sort'))


def unfold(driver, root, desc):
    """Clicking 筛选 shows the facets and the date fields."""
    driver.find_element(By.CSS_SELECTOR, root + ' .sou-filter-toggle').click()
    check('%s: 筛选 shows the facets and the date fields' % desc,
          shown(root + ' .sou-facet-value') and shown(root + ' .sou-month'))
    check('%s: 筛选 says it is expanded' % desc, js(
        "return document.querySelector(arguments[0] + ' .sou-filter-toggle').getAttribute('aria-expanded')",
        root) == 'true')
    w = js("return [document.documentElement.scrollWidth, window.innerWidth]")
    check('%s: still no horizontal scrolling' % desc, w[0] <= w[1], repr(w))


def hits_state():
    """What the page shows: per hit its title text, title marks, snippet
    text, snippet marks, tags and date; plus the list's start number."""
    return js("""
        const hits = [...document.querySelectorAll('.sou-hit')].map(h => ({
          title: h.querySelector('.sou-title').textContent,
          tmarks: [...h.querySelectorAll('.sou-title mark')].map(m => m.textContent),
          snippet: h.querySelector('.sou-snippet').textContent,
          smarks: [...h.querySelectorAll('.sou-snippet mark')].map(m => m.textContent),
          tags: [...h.querySelectorAll('.sou-tag')].map(t => t.textContent),
          date: (h.querySelector('time') || {}).textContent || null,
          href: (h.querySelector('.sou-title a') || {}).href || null,
        }));
        return {hits, start: document.querySelector('.sou-results').start,
                status: document.querySelector('.sou-status').textContent};
    """)


def same_as_api(desc, data):
    """The hits on the page are the API's, highlights cut at the same bytes."""
    st = hits_state()
    want = [{'title': h['title'], 'tmarks': cut(h['title'], h['title_highlights']),
             'snippet': h['snippet'], 'smarks': cut(h['snippet'], h['highlights']),
             'tags': h['tags']} for h in data['hits']]
    got = [{k: h[k] for k in ('title', 'tmarks', 'snippet', 'smarks', 'tags')} for h in st['hits']]
    check(desc, got == want, '\n  page: %r\n  api:  %r' % (got[:2], want[:2]))
    return st


try:
    # 1. the page loads, the box has the focus, nothing is searched yet
    driver.get(URL)
    until('the box appears', lambda: js("return !!document.querySelector('.sou-input')"))
    box = driver.find_element(By.CSS_SELECTOR, '.sou-input')
    check('the box has the focus', driver.switch_to.active_element == box)
    check('no results before a query', not js("return document.querySelectorAll('.sou-hit').length"))

    # 2. typing Chinese (chromedriver inserts the characters as text)
    box.send_keys('人民币')
    if until('typing 人民币 shows results', lambda: js("return document.querySelectorAll('.sou-hit').length > 0")):
        check('the query is in the address', query_params().get('q') == ['人民币'], driver.current_url)
        same_as_api('人民币: hits and highlights as the API has them',
                    api(q='人民币', limit=10, offset=0, facets='tag,month'))
        check('matches are highlighted', js("return document.querySelectorAll('.sou-results mark').length") > 0)

    # 3. an input method: nothing is searched until compositionend
    js("""
        const i = document.querySelector('.sou-input');
        i.value = '';
        i.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}));
        i.value = 'shichang';
        i.dispatchEvent(new InputEvent('input', {data: 'shichang', isComposing: true,
                                                 inputType: 'insertCompositionText'}));
    """)
    time.sleep(1.0)  # four debounce periods: a search would have started
    check('no search while composing', query_params().get('q') == ['人民币'], driver.current_url)
    js("""
        const i = document.querySelector('.sou-input');
        i.value = '市场';
        i.dispatchEvent(new InputEvent('input', {data: '市场', isComposing: true,
                                                 inputType: 'insertCompositionText'}));
        i.dispatchEvent(new CompositionEvent('compositionend', {data: '市场'}));
    """)
    p1 = api(q='市场', limit=10, offset=0, facets='tag,month', facet_limit=FACET_LIMIT)
    if until('compositionend searches', lambda: query_params().get('q') == ['市场'] and
             js("return document.querySelectorAll('.sou-hit').length") == 10):
        st = same_as_api('市场: hits and highlights as the API has them', p1)
        check('total shown', str(p1['estimated_total']) in st['status'], st['status'])
        check('dates shown', all(h['date'] for h in st['hits']))
        check('titles link through the --link template',
              st['hits'][0]['href'] and st['hits'][0]['href'].endswith('.html') and
              '/%s/' % p1['hits'][0]['date'][:4] in st['hits'][0]['href'], st['hits'][0]['href'])

    # 4. paging
    driver.find_element(By.CSS_SELECTOR, '.sou-next').click()
    p2 = api(q='市场', limit=10, offset=10, facets='tag,month', facet_limit=FACET_LIMIT)
    if until('next page', lambda: js("return document.querySelector('.sou-results').start") == 11):
        check('page 2 in the address', query_params().get('page') == ['2'], driver.current_url)
        same_as_api('page 2 is the API offset 10', p2)

    # 5. a tag facet
    tag = p2['facets']['tag']['values'][0]
    buttons = [b for b in driver.find_elements(By.CSS_SELECTOR, '.sou-facet-tag .sou-facet-value')
               if b.find_element(By.CSS_SELECTOR, '.sou-facet-name').text == tag['value']]
    check('the tag facet is listed', len(buttons) == 1, tag['value'])
    if buttons:
        buttons[0].click()
        if until('the facet filters', lambda: query_params().get('tag') == [tag['value']]):
            until('filtered results', lambda: js("return document.querySelector('.sou-results').start") == 1)
            pf = api(q='市场', tag=tag['value'], limit=10, offset=0, facets='tag,month')
            st = same_as_api('filtered hits as the API has them', pf)
            check('facet count = filtered total', pf['estimated_total'] == tag['count'])
            check('every hit has the tag', all(tag['value'] in h['tags'] for h in st['hits']))
            check('back on page 1', 'page' not in query_params(), driver.current_url)
            check('the filter is shown', tag['value'] in (js("return document.querySelector('.sou-chip')?.textContent") or ''))

    # 6. the back button
    driver.back()
    if until('back: page 2 again', lambda: 'tag' not in query_params() and
             js("return document.querySelector('.sou-results').start") == 11):
        same_as_api('back: page 2 as before', p2)
    driver.back()
    if until('back: page 1 again', lambda: 'page' not in query_params() and
             js("return document.querySelector('.sou-results').start") == 1 and
             js("return document.querySelectorAll('.sou-hit').length") == 10):
        check('back: the box shows the query', box.get_attribute('value') == '市场')
        same_as_api('back: page 1 as before', p1)

    # 7. a month facet sets the date filter
    month = sorted(v['value'] for v in p1['facets']['month']['values'])[-1]
    for b in driver.find_elements(By.CSS_SELECTOR, '.sou-facet-month .sou-facet-value'):
        if b.find_element(By.CSS_SELECTOR, '.sou-facet-name').text == month:
            b.click()
            break
    if until('month facet', lambda: query_params().get('date') == [month]):
        until('month results', lambda: all(h['date'] and h['date'].startswith(month)
                                           for h in hits_state()['hits']) and hits_state()['hits'])
        check('month facet: every hit in ' + month,
              all(h['date'].startswith(month) for h in hits_state()['hits']))
        check('the month shows in the date fields', js(
            "return [...document.querySelectorAll('.sou-month')].map(i => i.value).join(' ')")
              == month + ' ' + month)

    # 7b. a facet of more than 10 values (issue 21 item 6): the first 10,
    # then a "more" button (a disclosure) that shows the rest, in order
    chips = driver.find_elements(By.CSS_SELECTOR, '.sou-chip')
    if chips:
        chips[0].click()
        until('the month chip removed', lambda: 'date' not in query_params())
    until('unfiltered results again', lambda: js("return document.querySelectorAll('.sou-hit').length") == 10)
    for key, want in (('tag', [v['value'] for v in p1['facets']['tag']['values']]),
                      ('month', sorted((v['value'] for v in p1['facets']['month']['values']), reverse=True))):
        check('more: the %s facet has over 10 values in the test data (%d)' % (key, len(want)), len(want) > 10)
        st = js("""
            const sec = document.querySelector('.sou-facet-' + arguments[0]);
            const vis = e => e.getClientRects().length > 0;
            const names = [...sec.querySelectorAll('.sou-facet-value')];
            const more = sec.querySelector('button.sou-more');
            return {all: names.map(b => b.querySelector('.sou-facet-name').textContent),
                    shown: names.filter(vis).map(b => b.querySelector('.sou-facet-name').textContent),
                    more: more && vis(more), expanded: more && more.getAttribute('aria-expanded'),
                    controls: more && !!document.getElementById(more.getAttribute('aria-controls')) &&
                              document.getElementById(more.getAttribute('aria-controls')).closest('.sou-facet') === sec};
        """, key)
        check('more: every %s value the API lists is on the page, in order' % key, st['all'] == want,
              repr((st['all'][:12], want[:12])))
        check('more: 10 %s values shown' % key, st['shown'] == want[:10], repr(st['shown']))
        check('more: a collapsed "more" button for %s' % key,
              st['more'] and st['expanded'] == 'false' and st['controls'], repr(st))
        driver.find_element(By.CSS_SELECTOR, '.sou-facet-%s button.sou-more' % key).click()
        st2 = js("""
            const sec = document.querySelector('.sou-facet-' + arguments[0]);
            return {shown: [...sec.querySelectorAll('.sou-facet-value')].filter(e => e.getClientRects().length)
                           .map(b => b.querySelector('.sou-facet-name').textContent),
                    expanded: sec.querySelector('button.sou-more').getAttribute('aria-expanded')};
        """, key)
        check('more: clicking it shows every %s value' % key, st2['shown'] == want, repr(st2['shown'][:12]))
        check('more: it says it is expanded', st2['expanded'] == 'true')
        if key == 'tag':
            # a value beyond the first 10 filters like any other
            last = want[-1]
            for b in driver.find_elements(By.CSS_SELECTOR, '.sou-facet-tag .sou-facet-value'):
                if b.find_element(By.CSS_SELECTOR, '.sou-facet-name').text == last:
                    b.click()
                    break
            until('more: a value beyond the first 10 filters', lambda: query_params().get('tag') == [last])
            driver.back()
            until('more: back to the unfiltered results', lambda: 'tag' not in query_params() and
                  js("return document.querySelectorAll('.sou-hit').length") == 10)

    # 8. the keyboard alone: "/" focuses the box, Enter searches
    check('no filter chip left', not driver.find_elements(By.CSS_SELECTOR, '.sou-chip'))
    driver.find_element(By.TAG_NAME, 'body').click()
    driver.find_element(By.TAG_NAME, 'body').send_keys('/')
    check('"/" focuses the box', driver.switch_to.active_element == box)
    box.send_keys(Keys.CONTROL, 'a')
    box.send_keys('农业', Keys.ENTER)
    if until('Enter searches', lambda: query_params().get('q') == ['农业'] and
             js("return document.querySelector('.sou-hit .sou-title') && "
                "document.querySelector('.sou-hit .sou-title').textContent.includes('农业')")):
        check('titles highlighted', js("return document.querySelector('.sou-title mark')?.textContent") == '农业')
        # Tab from the box reaches the controls in order and then the first result
        seen = []
        for _ in range(12):
            driver.switch_to.active_element.send_keys(Keys.TAB)
            seen.append(js("const e = document.activeElement; return e.className || e.tagName"))
            if js("return document.activeElement.closest('.sou-title') !== null"):
                break
        check('Tab reaches the first result', js("return document.activeElement.closest('.sou-title') !== null"),
              repr(seen))

    # 9. a post titled <img src=x onerror=alert(1)> shows as text
    driver.get(URL + '?q=' + urllib.parse.quote('跨站脚本'))
    if until('the XSS post is found', lambda: js("return document.querySelectorAll('.sou-hit').length") == 1):
        st = hits_state()
        h = st['hits'][0]
        check('its title is shown as text', h['title'] == '<img src=x onerror=alert(1)>', repr(h['title']))
        check('its tag is shown as text', '<b>跨站</b>' in h['tags'], repr(h['tags']))
        check('its snippet is shown as text', '<script>alert(2)</script>' in h['snippet'], repr(h['snippet']))
        check('no element was made from the data',
              js("return document.querySelectorAll('.sou img, .sou script, .sou b').length") == 0)
        try:
            driver.switch_to.alert
            check('no alert', False)
        except NoAlertPresentException:
            check('no alert', True)
        # its HTML-looking tag works as a filter too
        for b in driver.find_elements(By.CSS_SELECTOR, '.sou-tag'):
            if b.text == '<b>跨站</b>':
                b.click()
                break
        until('the HTML-looking tag filters', lambda: query_params().get('tag') == ['<b>跨站</b>'])
        until('one hit for it', lambda: js("return document.querySelectorAll('.sou-hit').length") == 1
              and js("return document.querySelector('.sou-status').textContent").find('1') >= 0)
        check('the tag filter chip is text',
              js("return document.querySelector('.sou-chip span')?.textContent") == '标签：<b>跨站</b>')

    # 9b. hostile posts that t0302 adds to the tree: one named evil.com.md
    # with no date (the --link template's {year}/{month}/{day} are empty,
    # which made "////evil.com.html", a link to the host evil.com.html),
    # and one whose title holds a right-to-left override
    origin = urllib.parse.urlparse(URL).netloc
    driver.get(URL + '?q=' + urllib.parse.quote('红队链接检验'))
    if until('the no-date post is found', lambda: js("return document.querySelectorAll('.sou-hit').length") == 1):
        h = hits_state()['hits'][0]
        check('its link stays on this origin',
              bool(h['href']) and urllib.parse.urlparse(h['href']).netloc == origin, repr(h['href']))
        check('its link is the template with empty parts left out',
              bool(h['href']) and urllib.parse.urlparse(h['href']).path == '/evil.com.html', repr(h['href']))
    driver.get(URL + '?q=' + urllib.parse.quote('红队双向检验'))
    if until('the override post is found', lambda: js("return document.querySelectorAll('.sou-hit').length") == 1):
        h = hits_state()['hits'][0]
        check('a right-to-left override in a title shows as \\u202E, reordering nothing',
              '\\u202E' in h['title'] and '\u202e' not in h['title'], repr(h['title']))

    # 10. a phone-sized window: nothing wider than the screen
    driver.set_window_size(390, 844)
    driver.get(URL + '?q=' + urllib.parse.quote('市场'))
    if until('phone: results', lambda: js("return document.querySelectorAll('.sou-hit').length") == 10):
        w = js("return [document.documentElement.scrollWidth, window.innerWidth]")
        check('phone: no horizontal scrolling', w[0] <= w[1], repr(w))
        check('phone: facets stack under the box',
              js("return getComputedStyle(document.querySelector('.sou-main')).gridTemplateColumns.split(' ').length") == 1)
        # issue 21 item 4: the first hit above the fold, the facets and
        # the date fields behind one 筛选 button
        folded(driver, '#sou', 'phone')
        driver.save_screenshot(os.path.join(SHOTS, 'sou-390.png'))
        unfold(driver, '#sou', 'phone')
        driver.save_screenshot(os.path.join(SHOTS, 'sou-390-filters.png'))

    # 11. no errors in the console (a CSP violation would be one)
    logs = [e for e in driver.get_log('browser') if e.get('level') == 'SEVERE']
    check('no console errors', not logs, repr(logs[:3]))

    # 12. the screenshot for the README
    driver.set_window_size(1200, 900)
    driver.get(URL + '?q=' + urllib.parse.quote('市场') + '&tag=' + urllib.parse.quote('A股'))
    if until('screenshot page', lambda: js("return document.querySelectorAll('.sou-hit').length") > 0 and
             js("return document.querySelectorAll('.sou-facet').length") > 0):
        time.sleep(0.3)  # let fonts settle
        check('screenshot saved', driver.save_screenshot(SHOT))
        check('wide: no 筛选 button, facets and date fields shown', not shown('.sou-filter-toggle') and
              shown('.sou-facet-value') and shown('.sou-month'))
    driver.set_window_size(1280, 900)
    driver.get(URL + '?q=' + urllib.parse.quote('市场'))
    if until('1280: results', lambda: js("return document.querySelectorAll('.sou-hit').length") == 10):
        driver.save_screenshot(os.path.join(SHOTS, 'sou-1280.png'))

    # 12e. estimated facet counts read "≈N" with a title saying so; exact
    # ones are plain numbers.  Over the sample corpus the facets of 市场
    # are exact, and those of a quoted phrase estimated (the spies count
    # the candidates before the phrase check; README "Facets")
    for q, est in (('市场', False), ('"人民币汇率"', True)):
        a = api(q=q, limit=10, offset=0, facets='tag,month', facet_limit=FACET_LIMIT)
        check('estimated: the API says %s facets are %s' % (q, 'estimates' if est else 'exact'),
              a['facets']['tag']['exact'] is (not est) and a['facets']['month']['exact'] is (not est),
              repr({k: v['exact'] for k, v in a['facets'].items()}))
        driver.get(URL + '?q=' + urllib.parse.quote(q))
        if until('estimated: %s results' % q, lambda: js("return document.querySelectorAll('.sou-hit').length")
                 == len(a['hits']) and js("return document.querySelectorAll('.sou-facet-value').length") > 0):
            got = js("""
                return [...document.querySelectorAll('.sou-facet-tag .sou-facet-value')].map(b => {
                  const c = b.querySelector('.sou-count');
                  return [b.querySelector('.sou-facet-name').textContent, c.textContent, c.title || '',
                          b.getAttribute('aria-label') || ''];
                });
            """)
            want = [(v['value'], ('≈' if est else '') + str(v['count'])) for v in a['facets']['tag']['values']]
            check('estimated: %s counts read %s' % (q, '≈N' if est else 'N'),
                  [(g[0], g[1]) for g in got] == want, repr((got[:3], want[:3])))
            check('estimated: %s counts %s' % (q, 'say they are estimates' if est else 'have no such note'),
                  all(('估计' in g[2] and '估计' in g[3]) if est else (not g[2] and not g[3]) for g in got),
                  repr(got[:2]))

    # 12b. completions (issue 19): a listbox under the box, arrow keys,
    # Enter, Escape; none while an input method composes
    driver.get(URL)
    until('completions: the box', lambda: js("return !!document.querySelector('.sou-input')"))
    box = driver.find_element(By.CSS_SELECTOR, '.sou-input')
    want = json.load(urllib.request.urlopen(URL + 'suggest?' + urllib.parse.urlencode(
        {'q': '人民', 'limit': 8}), timeout=30))
    want = [x['text'] for x in want['suggestions'] if x['text'] != '人民']
    box.send_keys('人民')
    if until('completions: the listbox opens', lambda: js(
            "return !document.querySelector('.sou-suggest').hidden")):
        opts_ = js("return [...document.querySelectorAll('.sou-option .sou-option-text')]"
                   ".map(o => o.textContent)")
        check('completions: those of /suggest', opts_ == want, repr((opts_, want)))
        check('completions: a combobox owning a listbox', js(
            "const i = document.querySelector('.sou-input'), l = document.querySelector('.sou-suggest');"
            "return i.getAttribute('role') === 'combobox' && i.getAttribute('aria-expanded') === 'true'"
            " && i.getAttribute('aria-controls') === l.id && l.getAttribute('role') === 'listbox'"))
        box.send_keys(Keys.ARROW_DOWN)
        check('completions: ArrowDown selects the first', js(
            "const i = document.querySelector('.sou-input');"
            "const o = document.getElementById(i.getAttribute('aria-activedescendant'));"
            "return o && o.getAttribute('aria-selected') === 'true' && "
            "o.querySelector('.sou-option-text').textContent") == (want[0] if want else None))
        box.send_keys(Keys.ENTER)
        if want and until('completions: Enter searches the completion',
                          lambda: query_params().get('q') == [want[0]]):
            check('completions: the list closes', js("return document.querySelector('.sou-suggest').hidden"))
            check('completions: the box holds it', box.get_attribute('value') == want[0])
            check('the page title follows the query', driver.title.startswith(want[0]), driver.title)
    box.send_keys(Keys.CONTROL, 'a')
    box.send_keys('人民')
    if until('completions: open again', lambda: js("return !document.querySelector('.sou-suggest').hidden")):
        box.send_keys(Keys.ESCAPE)
        check('completions: Escape closes', js("return document.querySelector('.sou-suggest').hidden"))
    js("""
        const i = document.querySelector('.sou-input');
        i.value = '';
        i.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}));
        i.value = '人民';
        i.dispatchEvent(new InputEvent('input', {data: '人民', isComposing: true,
                                                 inputType: 'insertCompositionText'}));
    """)
    time.sleep(0.8)
    check('completions: none while composing', js("return document.querySelector('.sou-suggest').hidden"))
    js("document.querySelector('.sou-input').dispatchEvent(new CompositionEvent('compositionend', {data: '人民'}))")
    until('completions: after compositionend', lambda: js("return !document.querySelector('.sou-suggest').hidden"))

    # 12c. counts, a loosened offer, errors in Chinese, a half-typed quote
    driver.get(URL + '?q=' + urllib.parse.quote('农业'))
    if until('exact count', lambda: js("return document.querySelectorAll('.sou-hit').length") == 1):
        st = js("return document.querySelector('.sou-status').textContent")
        check('an exact count has no 约', st == '1 条结果', repr(st))
    driver.get(URL + '?q=' + urllib.parse.quote('央行降准酒'))
    if until('nothing found: an offer', lambda: js("return !!document.querySelector('.sou-offer')")):
        check('the offer is the loosened query', js("return document.querySelector('.sou-offer').textContent")
              == '央行降准', js("return document.querySelector('.sou-status').textContent"))
        driver.find_element(By.CSS_SELECTOR, '.sou-offer').click()
        until('the offer searches', lambda: query_params().get('q') == ['央行降准'] and
              js("return document.querySelectorAll('.sou-hit').length") == 1)
    box = driver.find_element(By.CSS_SELECTOR, '.sou-input')
    box.send_keys(Keys.END, ' "降')
    if until('a half-typed quote: a hint in Chinese', lambda: '引号没有闭合' in (
            js("return document.querySelector('.sou-status').textContent") or '')):
        check('a half-typed quote keeps the results', js("return document.querySelectorAll('.sou-hit').length") == 1)
    box.send_keys('准"')
    until('the quote closed: results again', lambda: query_params().get('q') == ['央行降准 "降准"'] and
          js("return document.querySelector('.sou-status').textContent").endswith('条结果'))

    # 12c'. a post's front-matter permalink is its link
    driver.get(URL + '?q=' + urllib.parse.quote('每周市场回顾'))
    if until('the permalink post', lambda: js("return document.querySelectorAll('.sou-hit').length") >= 1):
        h = hits_state()['hits'][0]
        check('a front-matter permalink is the link', bool(h['href']) and
              urllib.parse.urlparse(h['href']).path == '/markets/2019/08/30/weekly-review/', repr(h['href']))

    # 12d. a server that does not answer: "retrying", then it recovers
    # (a stand-in endpoint answering 503 three times, then forwarding)
    flaky = {'n': 0}

    class F(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            flaky['n'] += 1
            if self.path.startswith('/search') and flaky['n'] <= 3:
                body, code = b'{"error":{"status":503,"message":"busy"}}', 503
            else:
                with urllib.request.urlopen(URL.rstrip('/') + self.path, timeout=30) as r:
                    body, code = r.read(), 200
            self.send_response(code)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Access-Control-Allow-Origin', '*')
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    fsrv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), F)
    threading.Thread(target=fsrv.serve_forever, daemon=True).start()
    fpage = ('<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body>'
             '<div id="box" data-sou data-sou-endpoint="http://127.0.0.1:%d/search"></div>'
             '<script src="%ssou.js" defer></script></body></html>'
             % (fsrv.server_address[1], URL)).encode('utf-8')

    class P(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.end_headers()
            self.wfile.write(fpage)

        def log_message(self, *a):
            pass

    psrv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), P)
    threading.Thread(target=psrv.serve_forever, daemon=True).start()
    driver.get('http://127.0.0.1:%d/' % psrv.server_address[1])
    if until('retry page: the box', lambda: js("return !!document.querySelector('#box .sou-input')")):
        driver.find_element(By.CSS_SELECTOR, '#box .sou-input').send_keys('农业')
        until('a stopped server: "retrying"', lambda: '重试' in (
            js("return document.querySelector('#box .sou-status').textContent") or ''))
        check('retrying: nothing shown yet', js("return document.querySelectorAll('#box .sou-hit').length") == 0)
        until('it recovers by itself', lambda: js("return document.querySelectorAll('#box .sou-hit').length") == 1)
    # closed, not only stopped: the OS may hand their ports out again,
    # HOSTPORT (step 13) included
    for srv_ in (fsrv, psrv):
        srv_.shutdown()
        srv_.server_close()

    # 13. /sou.js as a drop-in on another site (an origin --cors allows)
    allowed = blog(int(HOSTPORT))
    other = blog(0)
    driver.get('http://127.0.0.1:%s/' % HOSTPORT)
    if until('drop-in: the box mounts', lambda: js("return !!document.querySelector('#box .sou-input')")):
        check('drop-in: its stylesheet is added',
              js("return !!document.querySelector('link[data-sou-css]')") and
              js("return getComputedStyle(document.querySelector('#box .sou-go')).borderRadius") != '0px')
        driver.find_element(By.CSS_SELECTOR, '#box .sou-input').send_keys('农业')
        if until('drop-in: results from the other origin',
                 lambda: js("return document.querySelectorAll('#box .sou-hit').length") == 1):
            st = hits_state()
            check('drop-in: highlighted', st['hits'][0]['tmarks'] == ['农业'], repr(st['hits'][0]))
            check('drop-in: link template of the host page',
                  st['hits'][0]['href'] == 'http://127.0.0.1:%s/2019-01-15-adbc-spring-loans/' % HOSTPORT,
                  st['hits'][0]['href'])
            check('drop-in: the host page address is left alone',
                  driver.current_url == 'http://127.0.0.1:%s/' % HOSTPORT, driver.current_url)
    # an origin not given to --cors: the browser refuses the answer
    driver.get('http://127.0.0.1:%d/' % other.server_address[1])
    if until('other origin: the box mounts', lambda: js("return !!document.querySelector('#box .sou-input')")):
        driver.find_element(By.CSS_SELECTOR, '#box .sou-input').send_keys('农业')
        until('other origin: refused without CORS',
              lambda: js("return document.querySelector('#box .sou-status').textContent")
              .startswith('搜索暂时不可用'))
        check('other origin: no results', js("return document.querySelectorAll('#box .sou-hit').length") == 0)

    # 14. the drop-in in a 320 px sidebar of a wide window (issue 21 item
    # 4): it follows its container, not the window
    driver.set_window_size(1280, 900)
    driver.get('http://127.0.0.1:%s/sidebar' % HOSTPORT)
    if until('sidebar: the box mounts', lambda: js("return !!document.querySelector('#box .sou-input')")):
        driver.find_element(By.CSS_SELECTOR, '#box .sou-input').send_keys('市场')
        if until('sidebar: results', lambda: js("return document.querySelectorAll('#box .sou-hit').length") == 10):
            r = js("""const b = document.querySelector('#box .sou').getBoundingClientRect(),
                          h = document.querySelector('#box .sou-hit').getBoundingClientRect();
                      return [b.width, h.left - b.left, h.width];""")
            check('sidebar: the box is the sidebar\'s 320 px, the hits its whole width',
                  abs(r[0] - 320) < 1 and r[1] < 1 and abs(r[2] - 320) < 1, repr(r))
            check('sidebar: one column', js("return getComputedStyle(document.querySelector('#box .sou-main'))"
                                            ".gridTemplateColumns.split(' ').length") == 1)
            check('sidebar: nothing wider than the sidebar', js(
                "return [...document.querySelectorAll('#box .sou *')].every(e => "
                "e.getBoundingClientRect().right <= document.querySelector('#box').getBoundingClientRect().right + 1 "
                "|| e.closest('.sou-suggest'))"))
            folded(driver, '#box', 'sidebar')
            # "/" focuses the drop-in's box, arrow keys move from it into
            # the results and from title to title, ArrowUp back to the box
            driver.find_element(By.TAG_NAME, 'h1').click()
            driver.find_element(By.TAG_NAME, 'body').send_keys('/')
            check('sidebar: "/" focuses the box', js("return document.activeElement === "
                                                     "document.querySelector('#box .sou-input')"))
            titles = js("return [...document.querySelectorAll('#box .sou-title a')].map(a => a.href)")
            walk = []
            for k in (Keys.ARROW_DOWN, Keys.ARROW_DOWN, Keys.ARROW_UP, Keys.ARROW_UP):
                driver.switch_to.active_element.send_keys(k)
                walk.append(js("const e = document.activeElement; return e.href || e.className"))
            check('sidebar: arrow keys walk box → hit 1 → hit 2 → hit 1 → box',
                  walk == [titles[0], titles[1], titles[0], 'sou-input'], repr(walk))
            driver.save_screenshot(os.path.join(SHOTS, 'sou-320.png'))
            unfold(driver, '#box', 'sidebar')
            driver.save_screenshot(os.path.join(SHOTS, 'sou-320-filters.png'))

    # 15. a host theme's rules of element names alone (aside, ul, li,
    # button … floated, 50 px wide, inline, shifted) do not move the box:
    # in the sidebar, and on the wide page of sou-serve
    def rects(root):
        return js("""
            const q = s => document.querySelector(arguments[0] + ' ' + s);
            return ['.sou-hit', '.sou-title', '.sou-facets', '.sou-facet-value', '.sou-input', '.sou-go']
              .map(s => q(s) && q(s).getClientRects().length ? q(s).getBoundingClientRect() : null)
              .map(r => r && [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height)]);
        """, root)

    def hostile(root, desc):
        before = rects(root)
        # a constructed sheet: sou-serve's page forbids <style> (its CSP),
        # not the CSSOM; a list outside the box shows the rule took
        on = js("""
            const s = new CSSStyleSheet();
            s.replaceSync(arguments[0]);
            document.adoptedStyleSheets = [...document.adoptedStyleSheets, s];
            const probe = document.createElement('ul');
            probe.id = 'hostile-probe';
            document.body.append(probe);
            return getComputedStyle(probe).float;
        """, HOSTILE)
        after = rects(root)
        js("document.adoptedStyleSheets = []; document.getElementById('hostile-probe').remove()")
        check('%s: the hostile theme applies outside the box' % desc, on == 'right', repr(on))
        check('%s: a hostile theme moves nothing (first hit, title, facets, box, button)' % desc,
              before[0] is not None and all((a is None) == (b is None) and
                                            (a is None or all(abs(x - y) <= 2 for x, y in zip(a, b)))
                                            for a, b in zip(before, after)),
              '\n  without: %r\n  with:    %r' % (before, after))

    if js("return document.querySelectorAll('#box .sou-hit').length") == 10:
        hostile('#box', 'sidebar')
    driver.get(URL + '?q=' + urllib.parse.quote('市场'))
    if until('wide page: results', lambda: js("return document.querySelectorAll('.sou-hit').length") == 10):
        hostile('#sou', 'wide page')
    allowed.shutdown()
    other.shutdown()
except Exception as e:  # a step that broke: the rest cannot run
    check('the steps ran to the end', False, '%s: %s' % (type(e).__name__, str(e).splitlines()[0]))
finally:
    driver.quit()

print('%d passed, %d failed' % (passes, fails))
sys.exit(0 if fails == 0 else 1)
