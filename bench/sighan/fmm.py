#!/usr/bin/env python3
"""fmm.py - forward maximum matching over a word list, the reference
baseline of bench/sighan/run.sh.  usage: fmm.py WORDLIST < text > words"""
import sys

words = set(w.strip() for w in open(sys.argv[1], encoding='utf-8') if w.strip())
maxlen = max(len(w) for w in words)
for line in sys.stdin:
    line = line.rstrip('\n')
    out, i = [], 0
    while i < len(line):
        if line[i].isspace():
            i += 1
            continue
        for n in range(min(maxlen, len(line) - i), 0, -1):
            if n == 1 or line[i:i + n] in words:
                out.append(line[i:i + n])
                i += n
                break
    print('  '.join(out))
