#!/usr/bin/python3
"""page_test.py - sou-serve's search page in a real browser (Debian's
chromium, headless, driven through chromedriver by python3-selenium).

Run by tests/cli/t0302-serve-browser.sh against a server over the sample
corpus started with --cors http://127.0.0.1:HOSTPORT:
    page_test.py URL CHROMIUM CHROMEDRIVER PROFILE_DIR SCREENSHOT HOSTPORT
It serves a stand-in "blog" page on HOSTPORT (and another on a port not
allowed by --cors) to try /sou.js as a drop-in.

Each step is a check printed as "ok - ..." or "FAIL: ...", then
"N passed, N failed"; exit 0 only when all passed.  Highlights are
compared with the API's byte ranges cut from the UTF-8 bytes in Python,
so the page's byte-to-character conversion is checked hit by hit.
"""
import http.server
import json
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
    """A stand-in for a site's own page embedding the drop-in; serves on port."""
    page = ('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>博客</title>'
            '</head><body><h1>我的博客</h1><div id="box" data-sou data-sou-limit="5" '
            'data-sou-link="/{path}/"></div><script src="%ssou.js" defer></script></body></html>'
            % URL).encode('utf-8')

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == '/' else 404)
            self.send_header('Content-Type', 'text/html; charset=utf-8')
            self.end_headers()
            if self.path == '/':
                self.wfile.write(page)

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
    p1 = api(q='市场', limit=10, offset=0, facets='tag,month')
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
    p2 = api(q='市场', limit=10, offset=10, facets='tag,month')
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

    # 8. the keyboard alone: "/" focuses the box, Enter searches
    chips = driver.find_elements(By.CSS_SELECTOR, '.sou-chip')
    check('one filter chip (the month)', len(chips) == 1)
    if chips:
        chips[0].click()
        until('removing the chip drops the filter', lambda: 'date' not in query_params())
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
    allowed.shutdown()
    other.shutdown()
except Exception as e:  # a step that broke: the rest cannot run
    check('the steps ran to the end', False, '%s: %s' % (type(e).__name__, str(e).splitlines()[0]))
finally:
    driver.quit()

print('%d passed, %d failed' % (passes, fails))
sys.exit(0 if fails == 0 else 1)
