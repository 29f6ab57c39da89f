#!/bin/bash
# The deb's postrm (electron-builder deb.afterRemove): the default clean-up (command link, AppArmor
# profile) plus the helper launcher the postinst wrote, which dpkg does not know about.
# Shell variables here are written without braces: electron-builder takes every dollar-brace word as its macro.

APP_DIR='/opt/${sanitizedProductName}'

# An upgrade runs the old postrm and then the new postinst, which writes everything again.
case "$1" in
    upgrade|failed-upgrade) exit 0 ;;
esac

if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' "$APP_DIR/${executable}" || true
else
    rm -f '/usr/bin/${executable}'
fi

if [ -f '/etc/apparmor.d/${executable}' ]; then
    if apparmor_status --enabled >/dev/null 2>&1 && ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
        apparmor_parser --remove '/etc/apparmor.d/${executable}' || true
    fi
    rm -f '/etc/apparmor.d/${executable}'
fi

# --- causeway: helper launcher (begin) ---
HELPER_DIR='/usr/lib/causeway'
rm -f "$HELPER_DIR/causeway-helper" "$HELPER_DIR/causeway-helper.new"
rmdir "$HELPER_DIR" 2>/dev/null || true
# Only our own link: a causeway installed by something else stays.
CLI='/usr/bin/causeway'
if [ -L "$CLI" ] && [ "$(readlink "$CLI")" = "$APP_DIR/resources/cli/causeway" ]; then
    rm -f "$CLI"
fi
# --- causeway: helper launcher (end) ---
exit 0
