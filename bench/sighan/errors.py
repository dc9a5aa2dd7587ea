#!/usr/bin/env python3
"""errors.py - where a segmentation's errors are, by class.

usage: errors.py GOLD PREDICTED WORDLIST [CLASS]

Reads the files as score.py does and counts the gold words the
prediction misses, by class:

  in-list words joined   a word of WORDLIST that the prediction covers
                         with a longer word (新世纪 for 新 世纪)
  in-list words cut      a word of WORDLIST crossed by a predicted word
                         that starts or ends inside it (中 国人 for 中国 人)
  unknown words split    a word not in WORDLIST left in smaller pieces
  unknown words crossed  a word not in WORDLIST crossed by a predicted word
  numbers                a gold word with a digit, or Chinese numerals
                         with a unit, whatever happened to it
  Latin                  a gold word with a Latin letter
  punctuation            a gold word of punctuation only (——, ……)

Prints the counts with the commonest examples (gold -> predicted); with
CLASS, every example of that class.  Written for sou; standard library
only.
"""
import collections
import re
import sys

from score import predicted_spans, spans

NUMERAL = '〇○零一二三四五六七八九十百千万亿两'
UNIT = '年月日号时分秒岁元个倍余多%％'


def kind(word, known, inside, crossing):
    if re.search(r'[0-9０-９]', word) or (
            len(word) > 1 and word[0] in NUMERAL and word[-1] in UNIT):
        return 'numbers'
    if re.search(r'[A-Za-zＡ-Ｚａ-ｚ]', word):
        return 'Latin'
    if not re.search(r'\w', word):
        return 'punctuation'
    if word in known:
        return 'in-list words cut' if crossing and inside else 'in-list words joined'
    return 'unknown words crossed' if crossing else 'unknown words split'


def main():
    gold_path, pred_path, words_path = sys.argv[1:4]
    show = sys.argv[4] if len(sys.argv) > 4 else None
    with open(words_path, encoding='utf-8') as f:
        known = set(w.strip() for w in f if w.strip())
    with open(gold_path, encoding='utf-8') as f:
        gold = [line.split() for line in f]
    with open(pred_path, encoding='utf-8') as f:
        pred = [line.rstrip('\n').split() for line in f]
    count = collections.Counter()
    examples = collections.defaultdict(collections.Counter)
    for g, p in zip(gold, pred):
        sentence = ''.join(g)
        P = predicted_spans(p, sentence)
        for s, e in set(spans(g)) - P:
            inside = [x for x in P if x[0] >= s and x[1] <= e]
            crossing = [x for x in P if x[0] < e and x[1] > s and x not in inside]
            c = kind(sentence[s:e], known, inside, crossing)
            lo = min([s] + [x[0] for x in crossing])
            hi = max([e] + [x[1] for x in crossing])
            got = '/'.join(sentence[a:b] for a, b in sorted(P) if a < hi and b > lo)
            count[c] += 1
            examples[c][sentence[s:e] + ' -> ' + got] += 1
    for c, n in count.most_common():
        print('%6d  %s: %s' % (n, c, ', '.join(
            '%s (%d)' % kv for kv in examples[c].most_common(6))))
    if show:
        for e, n in examples[show].most_common():
            print(n, e)


if __name__ == '__main__':
    main()
