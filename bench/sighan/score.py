#!/usr/bin/env python3
"""score.py - word precision, recall, F1 and OOV recall of a segmentation.

usage: score.py GOLD PREDICTED WORDLIST

GOLD: the SIGHAN gold file (words separated by spaces, one sentence a
line).  PREDICTED: one line per sentence, words separated by spaces (as
`sou-query --analyze --terms original` prints them).  Characters of the
sentence that no predicted word covers (punctuation, which sou does not
treat as words) count as one-character words, so every system is scored
on the same characters.  Words are compared as character spans.  OOV
recall is the recall of gold words not in WORDLIST (the training list).
Prints one JSON object.  Written for sou; standard library only.
"""
import json
import sys


def spans(words):
    out, p = [], 0
    for w in words:
        out.append((p, p + len(w)))
        p += len(w)
    return out


def predicted_spans(words, sentence):
    found, pos = [], 0
    for w in words:
        i = sentence.find(w, pos)
        if i < 0:
            continue
        found.append((i, i + len(w)))
        pos = i + len(w)
    covered = [False] * len(sentence)
    for s, e in found:
        for k in range(s, e):
            covered[k] = True
    extra = [(k, k + 1) for k, ch in enumerate(sentence)
             if not covered[k] and not ch.isspace()]
    return set(found) | set(extra)


def main():
    gold_path, pred_path, words_path = sys.argv[1:4]
    with open(words_path, encoding='utf-8') as f:
        known = set(w.strip() for w in f if w.strip())
    with open(gold_path, encoding='utf-8') as f:
        gold = [line.split() for line in f]
    with open(pred_path, encoding='utf-8') as f:
        pred = [line.rstrip('\n').split() for line in f]
    if len(gold) != len(pred):
        sys.exit('score.py: %d gold lines but %d predicted' % (len(gold), len(pred)))
    tp = fp = fn = oov = oov_hit = 0
    for g, p in zip(gold, pred):
        sentence = ''.join(g)
        G = set(spans(g))
        P = predicted_spans(p, sentence)
        tp += len(P & G)
        fp += len(P - G)
        fn += len(G - P)
        for s, e in G:
            if sentence[s:e] not in known:
                oov += 1
                oov_hit += (s, e) in P
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    print(json.dumps({'precision': round(prec, 4), 'recall': round(rec, 4),
                      'f1': round(f1, 4), 'oov_recall': round(oov_hit / oov, 4) if oov else None,
                      'words': len([w for g in gold for w in g]), 'oov_words': oov}))


if __name__ == '__main__':
    main()
