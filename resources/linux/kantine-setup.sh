#!/bin/sh
# Kantine: the system-wide bits of a Linux till that the app itself cannot do as its user.
# Shipped beside the app in resources/linux/ (deb: /opt/Kantine/resources/linux/); the deb's
# maintainer scripts (build/linux/after-install.sh, after-remove.sh) call it, and an admin runs
# it by hand for an AppImage or to turn a kiosk's autostart on (docs/installing.md).
#
#   kantine-setup.sh udev-install            install the card readers' udev rule, reload udev
#   kantine-setup.sh udev-remove             take the rule away again, reload udev
#   kantine-setup.sh autostart-on [till|kiosk] [executable]
#                                            start Kantine fullscreen at every desktop sign-in
#                                            (till: a locked-down till; kiosk: the parent kiosk)
#   kantine-setup.sh autostart-off           stop starting it
#
# Reloading udev is tolerant: in a container, a chroot (image building) or without udev the rule
# is still installed and takes effect at the next boot. KANTINE_UDEV_DIR and
# KANTINE_AUTOSTART_DIR move the targets (tests, image builds); they default to /etc.
set -u

here=$(dirname "$(readlink -f "$0")")
rule_name=70-kantine-card-reader.rules
udev_dir=${KANTINE_UDEV_DIR:-/etc/udev/rules.d}
autostart_dir=${KANTINE_AUTOSTART_DIR:-/etc/xdg/autostart}
autostart_file="$autostart_dir/kantine.desktop"

reload_udev() {
  if command -v udevadm >/dev/null 2>&1; then
    if udevadm control --reload-rules >/dev/null 2>&1 && udevadm trigger --subsystem-match=hidraw --subsystem-match=input >/dev/null 2>&1; then
      echo "kantine: udev rules reloaded"
    else
      echo "kantine: udev is not running here (container or chroot?); the rule takes effect at the next boot"
    fi
  else
    echo "kantine: no udevadm; the rule takes effect at the next boot"
  fi
}

case "${1:-}" in
  udev-install)
    mkdir -p "$udev_dir" || exit 1
    install -m 0644 "$here/$rule_name" "$udev_dir/$rule_name" || exit 1
    echo "kantine: installed $udev_dir/$rule_name"
    reload_udev
    ;;
  udev-remove)
    rm -f "$udev_dir/$rule_name"
    echo "kantine: removed $udev_dir/$rule_name"
    reload_udev
    ;;
  autostart-on)
    kind=${2:-till}
    exe=${3:-/opt/Kantine/kantine}
    case "$kind" in
      till) args="--kiosk"; name="Kantine" ;;
      kiosk) args="--kiosk --terminal kiosk"; name="Kantine kiosk" ;;
      *) echo "kantine: autostart-on takes till or kiosk, not '$kind'" >&2; exit 2 ;;
    esac
    mkdir -p "$autostart_dir" || exit 1
    sed -e "s|@EXEC@|$exe $args|" -e "s|@NAME@|$name|" "$here/kantine-autostart.desktop" > "$autostart_file.tmp" || exit 1
    chmod 0644 "$autostart_file.tmp" && mv "$autostart_file.tmp" "$autostart_file" || exit 1
    echo "kantine: $autostart_file starts '$exe $args' at every sign-in"
    ;;
  autostart-off)
    rm -f "$autostart_file"
    echo "kantine: removed $autostart_file"
    ;;
  *)
    echo "usage: $0 udev-install | udev-remove | autostart-on [till|kiosk] [executable] | autostart-off" >&2
    exit 2
    ;;
esac
