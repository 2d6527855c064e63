package dev.deepgramagent.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** How a configuration value is parsed, and what to tell the user when it cannot be. */
abstract class ValueType {

    /** Parses {@code raw} or throws {@link IllegalArgumentException} with a short reason. */
    abstract Object parse(String raw);

    /** The accepted values, as printed in error messages and by {@code config}. */
    abstract String accepted();

    /** Whether a comma-separated agent argument without '=' continues this key's value. */
    boolean isList() {
        return false;
    }

    static ValueType bool() {
        return new ValueType() {
            @Override
            Object parse(String raw) {
                String v = raw.trim().toLowerCase(Locale.ROOT);
                if (v.equals("true")) {
                    return Boolean.TRUE;
                }
                if (v.equals("false")) {
                    return Boolean.FALSE;
                }
                throw new IllegalArgumentException("not a boolean");
            }

            @Override
            String accepted() {
                return "true|false";
            }
        };
    }

    static ValueType oneOf(String... values) {
        List<String> allowed = Arrays.asList(values);
        return new ValueType() {
            @Override
            Object parse(String raw) {
                String v = raw.trim().toLowerCase(Locale.ROOT);
                if (!allowed.contains(v)) {
                    throw new IllegalArgumentException("not one of the accepted values");
                }
                return v;
            }

            @Override
            String accepted() {
                return String.join("|", allowed);
            }
        };
    }

    /** Durations such as {@code 500ms}, {@code 2s}, {@code 1m}; a bare number means milliseconds. */
    static ValueType duration() {
        return new ValueType() {
            @Override
            Object parse(String raw) {
                return Durations.parseMillis(raw);
            }

            @Override
            String accepted() {
                return "a duration >= 0 such as 500ms, 2s, 1m (a bare number is milliseconds)";
            }
        };
    }

    /** A duration, or {@code app}: leave the application's own setting alone (returned as -1). */
    static ValueType durationOrApp() {
        return new ValueType() {
            @Override
            Object parse(String raw) {
                if (raw.trim().equalsIgnoreCase("app")) {
                    return -1L;
                }
                return Durations.parseMillis(raw);
            }

            @Override
            String accepted() {
                return "app (keep the application's setting) or a duration >= 0 such as 500ms, 30s";
            }
        };
    }

    static ValueType port() {
        return new ValueType() {
            @Override
            Object parse(String raw) {
                int port;
                try {
                    port = Integer.parseInt(raw.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number");
                }
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("out of range");
                }
                return port;
            }

            @Override
            String accepted() {
                return "a TCP port 0-65535";
            }
        };
    }

    /** A whole number >= 0. */
    static ValueType count() {
        return new ValueType() {
            @Override
            Object parse(String raw) {
                int n;
                try {
                    n = Integer.parseInt(raw.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number");
                }
                if (n < 0) {
                    throw new IllegalArgumentException("negative");
                }
                return n;
            }

            @Override
            String accepted() {
                return "a whole number >= 0";
            }
        };
    }

    static ValueType text() {
        return new ValueType() {
            @Override
            Object parse(String raw) {
                String v = raw.trim();
                if (v.isEmpty()) {
                    throw new IllegalArgumentException("empty");
                }
                return v;
            }

            @Override
            String accepted() {
                return "a non-empty string";
            }
        };
    }

    /** Host patterns: {@code host}, {@code host:port}, {@code *.domain}, {@code [v6]:port}. */
    static ValueType hostList() {
        return new ValueType() {
            @Override
            Object parse(String raw) {
                List<String> out = new ArrayList<>();
                // Split on runs of ',', ';' and whitespace (no regular expression: this runs in premain).
                int start = -1;
                for (int i = 0; i <= raw.length(); i++) {
                    boolean separator = i == raw.length() || raw.charAt(i) == ',' || raw.charAt(i) == ';'
                            || Character.isWhitespace(raw.charAt(i));
                    if (separator && start >= 0) {
                        out.add(HostPatterns.validate(raw.substring(start, i)));
                        start = -1;
                    } else if (!separator && start < 0) {
                        start = i;
                    }
                }
                if (out.isEmpty()) {
                    throw new IllegalArgumentException("no host given");
                }
                return Collections.unmodifiableList(out);
            }

            @Override
            String accepted() {
                return "hosts or host:port pairs separated by ';' or ',' (e.g. api.deepgram.com;*.deepgram.com;10.0.0.5:8080)";
            }

            @Override
            boolean isList() {
                return true;
            }
        };
    }
}
