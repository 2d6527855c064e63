package dev.deepgramagent.core.session;

/**
 * The few top-level fields the agent reads from Deepgram's text frames. It never keeps the
 * transcript: the scanner skips nested objects (where the transcript lives) without copying them.
 */
public final class ServerMessage {

    public final String type;
    public final boolean isFinal;
    public final boolean fromFinalize;
    public final double start;
    public final double duration;

    private ServerMessage(String type, boolean isFinal, boolean fromFinalize, double start, double duration) {
        this.type = type;
        this.isFinal = isFinal;
        this.fromFinalize = fromFinalize;
        this.start = start;
        this.duration = duration;
    }

    /** @return the message's top-level fields, or null if the text is not a JSON object. */
    public static ServerMessage parse(String json) {
        Scanner s = new Scanner(json);
        try {
            return s.object();
        } catch (RuntimeException e) {
            return null;
        }
    }

    public boolean isResults() {
        return "Results".equals(type);
    }

    public boolean isMetadata() {
        return "Metadata".equals(type);
    }

    /** A minimal JSON scanner that reads top-level scalars and skips everything nested. */
    private static final class Scanner {
        private final String s;
        private int i;

        Scanner(String s) {
            this.s = s;
        }

        ServerMessage object() {
            String type = null;
            boolean isFinal = false;
            boolean fromFinalize = false;
            double start = 0;
            double duration = 0;
            ws();
            expect('{');
            ws();
            if (s.charAt(i) == '}') {
                return new ServerMessage(null, false, false, 0, 0);
            }
            while (true) {
                ws();
                String key = string(true);
                ws();
                expect(':');
                ws();
                char c = s.charAt(i);
                if (c == '"') {
                    boolean keep = key.equals("type");
                    String v = string(keep);
                    if (keep) {
                        type = v;
                    }
                } else if (c == '{' || c == '[') {
                    skipNested();
                } else {
                    int from = i;
                    while (i < s.length() && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) {
                        i++;
                    }
                    String token = s.substring(from, i);
                    switch (key) {
                        case "is_final": isFinal = token.equals("true"); break;
                        case "from_finalize": fromFinalize = token.equals("true"); break;
                        case "start": start = number(token); break;
                        case "duration": duration = number(token); break;
                        default: break;
                    }
                }
                ws();
                char next = s.charAt(i++);
                if (next == '}') {
                    return new ServerMessage(type, isFinal, fromFinalize, start, duration);
                }
                if (next != ',') {
                    throw new IllegalArgumentException("bad JSON");
                }
            }
        }

        private static double number(String token) {
            try {
                return Double.parseDouble(token);
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        private void skipNested() {
            int depth = 0;
            do {
                char c = s.charAt(i);
                if (c == '"') {
                    string(false);
                    continue;
                }
                if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    depth--;
                }
                i++;
            } while (depth > 0);
        }

        private String string(boolean keep) {
            expect('"');
            StringBuilder sb = keep ? new StringBuilder() : null;
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return keep ? sb.toString() : null;
                }
                if (c == '\\') {
                    char e = s.charAt(i++);
                    if (e == 'u') {
                        i += 4;
                        c = '?';
                    } else {
                        c = e;
                    }
                }
                if (keep) {
                    sb.append(c);
                }
            }
        }

        private void ws() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private void expect(char c) {
            if (s.charAt(i++) != c) {
                throw new IllegalArgumentException("expected " + c);
            }
        }
    }
}
