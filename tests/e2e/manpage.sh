#!/bin/sh
# manpage.sh: ccr.1 and `ccr --help` name the same commands and options, and the page
# formats without warnings.
# valgrind: yes
. "$(dirname "$0")/lib.sh"

ccr --help > "$T/help.txt"
sed 's/\\-/-/g' "$top/ccr.1" > "$T/man.txt"
opts() { grep -o -- '--[a-z][a-z-]*' "$1" | sort -u; }
opts "$T/help.txt" > "$T/help.opts"
opts "$T/man.txt" > "$T/man.opts"
missing=$(comm -23 "$T/help.opts" "$T/man.opts" | tr '\n' ' ')
extra=$(comm -13 "$T/help.opts" "$T/man.opts" | tr '\n' ' ')
[ -s "$T/help.opts" ] && [ -z "$missing" ] && ok manpage_has_every_help_option ||
	fail manpage_has_every_help_option "not in ccr.1: $missing"
[ -z "$extra" ] && ok help_has_every_manpage_option || fail help_has_every_manpage_option "not in --help: $extra"

# every command of the help's command list has a .B line in the page
bad=""
for c in "collect sweep" "collect ingest" "collect fetch" "collect canon" render runs show prune; do
	grep -q "^  $c" "$T/help.txt" || bad="$bad help:'$c'"
	grep -q "^\.B ccr $c\$\|^\.B $c\$" "$T/man.txt" || bad="$bad man:'$c'"
done
[ -z "$bad" ] && ok manpage_and_help_list_every_command || fail manpage_and_help_list_every_command "$bad"

if groff -man -Tutf8 -ww -z "$top/ccr.1" > "$T/groff.err" 2>&1 && [ ! -s "$T/groff.err" ]; then
	ok manpage_formats_cleanly
else
	fail manpage_formats_cleanly "$(head -c 300 "$T/groff.err")"
fi
