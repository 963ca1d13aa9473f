#!/bin/sh
# Doxygen's input filter (FILTER_PATTERNS in Doxyfile.in): `doxygen_filter.sh SOURCE_ROOT FILE`
# prints what Doxygen reads instead of FILE, where SOURCE_ROOT is the source tree relative to the
# HTML folder. Lines are changed, never added or removed, so warnings keep their line numbers.
#
#   *.hpp      blanks the `inline namespace v1` lines: the versioned namespace is ABI, not something
#              users write, so the reference says faltrain::TrainingClient. In `///` comments,
#              "e.g. " and "i.e. " become "e.g.\ " so that they do not end the brief description
#              (JAVADOC_AUTOBRIEF takes the first sentence).
#   *.md       (README.md, the front page) outside code blocks: a heading (## and below) gets
#              GitHub's anchor as its label, so links like (#the-faltrain-cli) resolve; a link into
#              the source tree, e.g. [demo](examples/demo/README.md), becomes an HTML link relative to
#              the HTML folder, so it opens the file from a local build instead of being a reference
#              Doxygen cannot resolve.
root="$1"
file="$2"
case "$file" in
  *.hpp)
    exec sed -e 's/^inline namespace v1 {$//' -e 's|^}  // namespace v1$||' \
             -e '/\/\/\//s/\(e\.g\|i\.e\)\. /\1.\\ /g' "$file" ;;
  *.md)
    exec awk -v root="$root" '
      /^[ \t]*(```|~~~)/ { fence = !fence; print; next }
      fence { print; next }
      /^##+ / && $0 !~ /\{#[^}]*\}[ \t]*$/ {
        slug = tolower($0)
        sub(/^#+ +/, "", slug)
        gsub(/[^a-z0-9 _-]/, "", slug)
        gsub(/ /, "-", slug)
        $0 = $0 " {#" slug "}"
      }
      {
        # [text](target) with a relative target (no scheme, not an anchor, not absolute) becomes
        # an HTML link: Doxygen 1.9 takes any markdown link to a .md file for a page reference.
        out = ""
        while (match($0, /\[[^]]*\]\([^)#:\/ ][^): ]*\)/)) {
          link = substr($0, RSTART, RLENGTH)
          split_at = index(link, "](")
          text = substr(link, 2, split_at - 2)
          target = substr(link, split_at + 2, length(link) - split_at - 2)
          out = out substr($0, 1, RSTART - 1) "<a href=\"" root "/" target "\">" text "</a>"
          $0 = substr($0, RSTART + RLENGTH)
        }
        print out $0
      }' "$file" ;;
  *)
    exec cat "$file" ;;
esac
