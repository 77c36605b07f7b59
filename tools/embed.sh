#!/bin/sh
# embed.sh: turns text files into C string literals, so the binary carries its
# schema and site assets and needs no data directory at run time.
#   embed.sh -s NAME FILE      -> const char NAME[] = "...";
#   embed.sh -t FILE...        -> embedded_files[] (lib/embed.h)
set -eu
lit() { # one file as the lines of a C string literal
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' -e 's/??/?\\?/g' \
	    -e 's/^/\t"/' -e 's/$/\\n"/' "$1"
}
if [ "$1" = -s ]; then
	echo "const char $2[] ="
	lit "$3"
	echo ";"
	exit 0
fi
shift
echo '#include "lib/embed.h"'
i=0
for f in "$@"; do
	i=$((i + 1))
	echo "static const char f_$i[] ="
	lit "$f"
	echo ";"
done
echo "const struct embedded embedded_files[] = {"
i=0
for f in "$@"; do
	i=$((i + 1))
	printf '\t{"%s", f_%d, sizeof(f_%d) - 1},\n' "$(basename "$f")" $i $i
done
printf '\t{0, 0, 0}\n};\n'
