#!/usr/bin/env bash
# Prints the Debian archive URI this machine's apt already uses (e.g.
# http://HOST/debian), read from /etc/apt/sources.list and
# /etc/apt/sources.list.d/*.list (one-line format) and *.sources (deb822).
# The first "deb" entry for a plain release suite (bookworm, trixie, stable:
# not -security or -updates) over http(s) wins. HYPERCALL_DEBIAN_MIRROR
# overrides it. No mirror name is ever written into the repository.
set -euo pipefail

if [ -n "${HYPERCALL_DEBIAN_MIRROR:-}" ]; then
  echo "${HYPERCALL_DEBIAN_MIRROR%/}"
  exit 0
fi

apt_etc=${APT_ETC:-/etc/apt}
shopt -s nullglob
one_line=()
[ -f "$apt_etc/sources.list" ] && one_line+=("$apt_etc/sources.list")
one_line+=("$apt_etc"/sources.list.d/*.list)
deb822=("$apt_etc"/sources.list.d/*.sources)

# One "URI SUITE..." line per deb entry, in file order.
entries() {
  if [ ${#one_line[@]} -gt 0 ]; then
    # deb [options] URI SUITE COMPONENT...
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "${one_line[@]}" |
      awk '$1 == "deb" && NF >= 3 { print $2, $3 }'
  fi
  if [ ${#deb822[@]} -gt 0 ]; then
    # Stanzas of "Field: value" lines separated by blank lines.
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled != "no")
          for (u = 1; u <= nu; u++) print uris[u], suites
        types = ""; suites = ""; enabled = ""; nu = 0
      }
      FNR == 1 { flush() }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        field = tolower($1); sub(/:$/, "", field)
        value = $0; sub(/^[^:]*:[ \t]*/, "", value)
        if (field == "types") types = value
        else if (field == "suites") suites = value
        else if (field == "enabled") enabled = tolower(value)
        else if (field == "uris") nu = split(value, uris, /[ \t]+/)
      }
      END { flush() }' "${deb822[@]}"
  fi
}

mirror=$(entries | awk '
  $1 ~ /^https?:\/\// { for (i = 2; i <= NF; i++) if ($i !~ /-/) { print $1; exit } }')
if [ -z "$mirror" ]; then
  echo "kvm-suite: no Debian mirror found in $apt_etc/sources.list{,.d/*.list,.d/*.sources}" \
    "(need a 'deb http://HOST/debian RELEASE main' entry; or set HYPERCALL_DEBIAN_MIRROR=http://HOST/debian)" >&2
  exit 1
fi
echo "${mirror%/}"
