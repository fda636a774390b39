# Sourced by the install scripts: `reports TEXT CMD ARGS...` succeeds when the
# output of CMD (stdout and stderr) contains TEXT.
#
# Why not `CMD | grep -q TEXT`: under `set -o pipefail`, grep -q exits at the
# first match, and a CMD that writes another line afterwards (kubectl prints
# its Kustomize version after its own) dies of SIGPIPE, so the pipeline fails
# about one time in seven although the version is right. The output is read
# whole first instead.
reports() {
  local want="$1" out
  shift
  out="$("$@" 2>&1)" || return 1
  [[ "$out" == *"$want"* ]]
}
