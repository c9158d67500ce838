# Sourced by ./test.sh: the browser tests drive Debian's Chromium (Playwright cannot download
# browsers here), with CJK fonts so screenshots of Chinese pages are readable. Installs what is
# missing with apt-get.
kefu_browser_packages=""
[ -x /usr/bin/chromium ] || kefu_browser_packages="chromium"
fc-list :lang=zh 2>/dev/null | grep -q . || kefu_browser_packages="$kefu_browser_packages fonts-noto-cjk"
if [ -n "${kefu_browser_packages// /}" ]; then
  if [ "$(id -u)" = "0" ]; then
    kefu_apt="apt-get"
  elif command -v sudo >/dev/null 2>&1; then
    kefu_apt="sudo apt-get"
  else
    echo "The browser tests need: $kefu_browser_packages (apt-get install as root)." >&2
    exit 1
  fi
  echo "Installing$kefu_browser_packages for the browser tests (apt-get) ..."
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  $kefu_apt install -y -q --no-install-recommends $kefu_browser_packages >/dev/null 2>&1 || {
    $kefu_apt update -q >/dev/null && $kefu_apt install -y -q --no-install-recommends $kefu_browser_packages >/dev/null
  }
fi
