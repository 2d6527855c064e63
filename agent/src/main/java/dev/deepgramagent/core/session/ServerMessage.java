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
    /** Flux {@code TurnInfo}: the event (Update, StartOfTurn, EndOfTurn, ...), what ended the turn, the audio window. */
    public final String event;
    public final String trigger;
    public final double windowStart;
    public final double windowEnd;
    /** {@code Error} frames: Deepgram's variant and code (short identifiers, never the description). */
    public final String variant;
    public final String code;

    private ServerMessage(Fields f) {
        this.type = f.type;
        this.isFinal = f.isFinal;
        this.fromFinalize = f.fromFinalize;
        this.start = f.start;
        this.duration = f.duration;
        this.event = f.event;
        this.trigger = f.trigger;
        this.windowStart = f.windowStart;
        this.windowEnd = f.windowEnd;
        this.variant = f.variant;
        this.code = f.code;
    }

    private static final class Fields {
        String type;
        boolean isFinal;
        boolean fromFinalize;
        double start;
        double duration;
        String event;
        String trigger;
        double windowStart = -1;
        double windowEnd = -1;
        String variant;
        String code;
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

    /** Flux: a {@code TurnInfo} message with this event. */
    public boolean isTurnEvent(String name) {
        return "TurnInfo".equals(type) && name.equals(event);
    }

    /** Top-level string fields worth keeping; every other string (transcripts above all) is skipped unread. */
    private static boolean kept(String key) {
        switch (key) {
            case "type":
            case "event":
            case "trigger":
            case "variant":
            case "code":
                return true;
            default:
                return false;
        }
    }

    /** A minimal JSON scanner that reads top-level scalars and skips everything nested. */
    private static final class Scanner {
        private final String s;
        private int i;

        Scanner(String s) {
            this.s = s;
        }

        ServerMessage object() {
            Fields f = new Fields();
            ws();
            expect('{');
            ws();
            if (s.charAt(i) == '}') {
                return new ServerMessage(f);
            }
            while (true) {
                ws();
                String key = string(true);
                ws();
                expect(':');
                ws();
                char c = s.charAt(i);
                if (c == '"') {
                    boolean keep = kept(key);
                    String v = string(keep);
                    if (keep) {
                        set(f, key, v);
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
                        case "is_final": f.isFinal = token.equals("true"); break;
                        case "from_finalize": f.fromFinalize = token.equals("true"); break;
                        case "start": f.start = number(token); break;
                        case "duration": f.duration = number(token); break;
                        case "audio_window_start": f.windowStart = number(token); break;
                        case "audio_window_end": f.windowEnd = number(token); break;
                        case "code": f.code = token; break; // some Error frames carry a numeric code
                        default: break;
                    }
                }
                ws();
                char next = s.charAt(i++);
                if (next == '}') {
                    return new ServerMessage(f);
                }
                if (next != ',') {
                    throw new IllegalArgumentException("bad JSON");
                }
            }
        }

        private static void set(Fields f, String key, String value) {
            switch (key) {
                case "type": f.type = value; break;
                case "event": f.event = value; break;
                case "trigger": f.trigger = value; break;
                case "variant": f.variant = value; break;
                default: f.code = value; break;
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
