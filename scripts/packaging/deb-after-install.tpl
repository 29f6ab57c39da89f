#!/bin/bash
# The deb's postinst (electron-builder deb.afterInstall). electron-builder fills in ${executable} and
# ${sanitizedProductName}; a custom script replaces its default one, so the first part does what the
# default does (command link, chrome-sandbox mode, desktop and MIME databases, AppArmor profile), and
# the Causeway part makes the privileged helper launcher that the polkit policy names.
# Shell variables here are written without braces: electron-builder takes every dollar-brace word as its macro.

APP_DIR='/opt/${sanitizedProductName}'

if type update-alternatives >/dev/null 2>&1; then
    # A plain link from an older install would block the alternative.
    if [ -L '/usr/bin/${executable}' ] && [ "$(readlink '/usr/bin/${executable}')" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' "$APP_DIR/${executable}" 100 || ln -sf "$APP_DIR/${executable}" '/usr/bin/${executable}'
else
    ln -sf "$APP_DIR/${executable}" '/usr/bin/${executable}'
fi

# Chromium's SUID sandbox only where unprivileged user namespaces do not work.
if [ -L /proc/self/ns/user ] && unshare --user true 2>/dev/null; then
    chmod 0755 "$APP_DIR/chrome-sandbox" || true
else
    chmod 4755 "$APP_DIR/chrome-sandbox" || true
fi

if hash update-mime-database 2>/dev/null; then update-mime-database /usr/share/mime || true; fi
if hash update-desktop-database 2>/dev/null; then update-desktop-database /usr/share/applications || true; fi

# Ubuntu 24+ confines unprivileged user namespaces: install the profile electron-builder ships, if this
# AppArmor accepts it (older ones do not know its ABI and do not need it).
if apparmor_status --enabled >/dev/null 2>&1; then
    if apparmor_parser --skip-kernel-load --debug "$APP_DIR/resources/apparmor-profile" >/dev/null 2>&1; then
        cp -f "$APP_DIR/resources/apparmor-profile" '/etc/apparmor.d/${executable}'
        if ! { [ -x /usr/bin/ischroot ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
            apparmor_parser --replace --write-cache --skip-read-cache '/etc/apparmor.d/${executable}' || true
        fi
    fi
fi

# --- causeway: helper launcher (begin) ---
# pkexec runs exactly /usr/lib/causeway/causeway-helper (the policy's exec.path). The package ships it
# as a template; here it gets this install's application folder and becomes root-owned, 0755, and not
# writable by anyone else: whoever could edit it could run anything as root.
HELPER_DIR='/usr/lib/causeway'
HELPER_TEMPLATE="$HELPER_DIR/causeway-helper.in"
HELPER="$HELPER_DIR/causeway-helper"
POLICY='/usr/share/polkit-1/actions/org.causeway.helper.policy'
set -e
chown root:root "$HELPER_DIR" "$HELPER_TEMPLATE" "$POLICY"
chmod 0755 "$HELPER_DIR"
chmod 0644 "$HELPER_TEMPLATE" "$POLICY"
sed "s|@APP_DIR@|$APP_DIR|g" "$HELPER_TEMPLATE" > "$HELPER.new"
if grep -q '@APP_DIR@' "$HELPER.new"; then
    echo "causeway: could not fill in the helper launcher" >&2
    rm -f "$HELPER.new"
    exit 1
fi
chown root:root "$HELPER.new"
chmod 0755 "$HELPER.new"
mv -f "$HELPER.new" "$HELPER"
set +e
# The command line: /usr/bin/causeway is the CLI (the GUI is /usr/bin/causeway-app, linked above).
# A link left by an older package, where causeway was the GUI, is replaced.
CLI='/usr/bin/causeway'
if [ ! -e "$CLI" ] || [ -L "$CLI" ]; then
    ln -sfn "$APP_DIR/resources/cli/causeway" "$CLI"
fi
# --- causeway: helper launcher (end) ---
exit 0
