# Installs what gatehouse needs from Debian's packages, when missing.
# Source this file and call gh_install_deps [extra packages...].

GH_DEPS="build-essential autoconf automake libtool pkg-config libfcgi-dev
libpq-dev libjson-c-dev libcrypt-dev libssl-dev libcriterion-dev
libcurl4-openssl-dev libseccomp-dev postgresql lighttpd curl"

# Only the tests' outside verifiers (test_e2e_verifiers_*, and Apache
# mod_oauth2 for test_e2e_modoauth2_*) need these, so scripts/check
# installs them and quickstart does not.  jose comes from npm: Debian's
# own package, unless a nodejs that carries npm (NodeSource's) is
# installed already.
GH_VERIFIER_DEPS="python3-jwt python3-jwcrypto nodejs libapache2-mod-oauth2"
command -v npm >/dev/null 2>&1 || GH_VERIFIER_DEPS="$GH_VERIFIER_DEPS npm"

# Only the real-browser suites (tests/browser) need these: Debian's
# chromium, driven headless through its chromedriver by selenium.
# scripts/check installs them, quickstart does not.
GH_BROWSER_DEPS="chromium chromium-driver python3-selenium"

# Only the mail tests ("#stack: mail" in tests/with-stack) need these: a
# local SMTP server (tests/mailsink) and msmtp as mail_command.
# scripts/check installs them, quickstart does not.
GH_MAIL_DEPS="msmtp python3-aiosmtpd"

# Only tests/unit/test_manpage's lint of man/ needs this (it skips
# without it, and fails under CI=true).  scripts/check installs it.
GH_MAN_DEPS="mandoc"

# Only tests/openapi/validate (run by tests/with-stack after each end-to-
# end suite, and tests/openapi/test_validate) needs these: Debian's
# python3 with PyYAML and jsonschema.  scripts/check installs them.
GH_OPENAPI_DEPS="python3-yaml python3-jsonschema"

# Only the Debian package's test (tests/package/test-package, scripts/
# check's "package" pass) needs these: debhelper and lintian, and what
# debian/control's Build-Depends has beyond GH_DEPS.  scripts/check
# installs them, quickstart does not.
GH_PACKAGE_DEPS="debhelper dpkg-dev fakeroot lintian libseccomp-dev python3"

gh_install_deps() {
	local missing=() p sudo=()
	for p in $GH_DEPS "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing+=("$p")
	done
	[ "${#missing[@]}" -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		sudo=(sudo)
	fi
	echo "gatehouse: installing ${missing[*]}" >&2
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
	# Debian's postgresql package starts a system cluster; gatehouse
	# runs its own, so the system one is left as the package made it.
}
