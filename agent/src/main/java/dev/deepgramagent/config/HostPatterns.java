package dev.deepgramagent.config;

import java.util.Locale;

/** Syntax checks for entries of the {@code hosts} key; matching lives in the core. */
final class HostPatterns {

    private HostPatterns() {
    }

    static String validate(String entry) {
        String e = entry.trim().toLowerCase(Locale.ROOT);
        String host = e;
        String port = null;
        if (e.startsWith("[")) {
            int close = e.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unbalanced '[' in " + entry);
            }
            host = e.substring(1, close);
            if (close + 1 < e.length()) {
                if (e.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("bad host " + entry);
                }
                port = e.substring(close + 2);
            }
        } else if (e.indexOf(':') >= 0) {
            int colon = e.lastIndexOf(':');
            if (e.indexOf(':') != colon) {
                throw new IllegalArgumentException("IPv6 hosts need brackets: [" + entry + "]");
            }
            host = e.substring(0, colon);
            port = e.substring(colon + 1);
        }
        if (!isHostName(host)) {
            throw new IllegalArgumentException("bad host " + entry);
        }
        if (port != null) {
            try {
                int p = Integer.parseInt(port);
                if (p < 1 || p > 65535) {
                    throw new IllegalArgumentException("bad port in " + entry);
                }
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("bad port in " + entry);
            }
        }
        return e;
    }

    /**
     * An optional {@code *.} then one or more of {@code a-z 0-9 . _ : -}. Written out rather than as a
     * regular expression: it runs in premain, where compiling a pattern costs the app's start-up.
     */
    static boolean isHostName(String host) {
        int start = host.startsWith("*.") ? 2 : 0;
        if (host.length() == start) {
            return false;
        }
        for (int i = start; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
