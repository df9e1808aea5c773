# Prints the target list of `make help` from the makefiles given as arguments, in the order
# make includes them. A line "##@ Heading" starts a section; a rule written as
#   target: prerequisites ## description
# is listed under the current section. Rules without "## " are not listed: file targets, and
# helpers whose names start with "_".
#
#   awk -f scripts/make-help.awk Makefile mk/*.mk
/^##@ / {
  printf "\n%s\n", substr($0, 5)
  next
}
/^[a-zA-Z0-9][a-zA-Z0-9_.%-]*:.*## / && !/^[^:]*:=/ {
  target = $0
  sub(/:.*/, "", target)
  description = $0
  sub(/^[^#]*## /, "", description)
  printf "  %-22s %s\n", target, description
}
