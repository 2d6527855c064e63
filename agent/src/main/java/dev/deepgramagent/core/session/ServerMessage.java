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

    private ServerMessage(Scanner f) {
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

    /** @return the message's top-level fields, or null if the text is not a JSON object. */
    public static ServerMessage parse(String json) {
        if (json == null) {
            return null; // a library's empty text frame (nv-websocket hands null)
        }
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

    // Top-level keys the agent reads; every other value (transcripts above all) is skipped unread.
    private static final String[] KEYS = {"type", "event", "trigger", "variant", "code", "is_final", "from_finalize",
            "start", "duration", "audio_window_start", "audio_window_end"};
    private static final int TYPE = 0;
    private static final int EVENT = 1;
    private static final int TRIGGER = 2;
    private static final int VARIANT = 3;
    private static final int CODE = 4;
    private static final int IS_FINAL = 5;
    private static final int FROM_FINALIZE = 6;
    private static final int START = 7;
    private static final int DURATION = 8;
    private static final int WINDOW_START = 9;
    private static final int WINDOW_END = 10;

    /** String values Deepgram sends under those keys, returned as these constants instead of a copy. */
    private static final String[] KNOWN_VALUES = {"Results", "Metadata", "UtteranceEnd", "SpeechStarted", "TurnInfo",
            "Error", "Warning", "ConfigureSuccess", "ConfigureFailure", "Connected", "Update", "StartOfTurn",
            "EagerEndOfTurn", "TurnResumed", "EndOfTurn", "manual"};

    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
            1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private static final int RESULTS_KEYS = 1 << IS_FINAL | 1 << START | 1 << DURATION | 1 << FROM_FINALIZE;
    private static final int TURN_KEYS = 1 << EVENT | 1 << WINDOW_START | 1 << WINDOW_END;
    private static final String FROM_FINALIZE_TAIL = ",\"from_finalize\":";

    /**
     * A minimal JSON scanner that reads top-level scalars and skips everything nested. It runs on
     * every message a Deepgram socket receives, so it allocates nothing but the result: keys are
     * compared in place, known string values come back as constants, numbers are read without a
     * substring, and nested values are skipped with {@code indexOf} from quote to quote.
     *
     * <p>Skipping the transcript's words is most of the cost, so the scan stops at a nested value
     * once it holds every field the agent reads from that type of message: a {@code Results}
     * message's scalars come before its {@code channel}, and its {@code from_finalize}, which
     * Deepgram sends last, is read from the message's end. A message that does not fit (another
     * order, whitespace at the end) is scanned whole.
     */
    private static final class Scanner {
        private final String s;
        private final int n;
        private int i;

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
        /** Bits of the {@link #KEYS} read so far. */
        int seen;

        Scanner(String s) {
            this.s = s;
            this.n = s.length();
        }

        ServerMessage object() {
            ws();
            expect('{');
            ws();
            if (s.charAt(i) == '}') {
                return new ServerMessage(this);
            }
            while (true) {
                ws();
                expect('"');
                int keyFrom = i;
                int keyTo = closingQuote(i);
                i = keyTo + 1;
                int key = key(keyFrom, keyTo);
                if (key >= 0) {
                    seen |= 1 << key;
                }
                ws();
                expect(':');
                ws();
                char c = s.charAt(i);
                if (c == '"') {
                    int from = i + 1;
                    int to = closingQuote(from);
                    i = to + 1;
                    if (key >= TYPE && key <= CODE) {
                        set(key, value(from, to));
                    }
                } else if (c == '{' || c == '[') {
                    if (hasAllItReads()) {
                        return new ServerMessage(this);
                    }
                    skipNested();
                } else {
                    int from = i;
                    while (i < n) {
                        char t = s.charAt(i);
                        if (t == ',' || t == '}' || t == ']' || t <= ' ') {
                            break;
                        }
                        i++;
                    }
                    scalar(key, from, i);
                }
                ws();
                char next = s.charAt(i++);
                if (next == '}') {
                    return new ServerMessage(this);
                }
                if (next != ',') {
                    throw new IllegalArgumentException("bad JSON");
                }
            }
        }

        /**
         * Whether every field the agent reads from this type of message has been read (see the
         * class comment): then what follows need not be scanned.
         */
        private boolean hasAllItReads() {
            int needed;
            if (type == "Results") { // the constant from KNOWN_VALUES
                if ((seen & 1 << FROM_FINALIZE) == 0) {
                    fromFinalizeAtTheEnd();
                }
                needed = RESULTS_KEYS;
            } else if (type == "TurnInfo" && event != null && event != "EndOfTurn") {
                needed = TURN_KEYS; // EndOfTurn's trigger comes after its words
            } else {
                return false;
            }
            return (seen & needed) == needed;
        }

        /**
         * Reads {@code ,"from_finalize":true}} or {@code false}} at the very end of the message: the
         * closing brace is the top-level object's, so the member before it is a top-level one.
         */
        private void fromFinalizeAtTheEnd() {
            int end = n - 1;
            if (end < 0 || s.charAt(end) != '}') {
                return;
            }
            int valueFrom;
            if (s.startsWith("true", end - 4)) {
                valueFrom = end - 4;
            } else if (s.startsWith("false", end - 5)) {
                valueFrom = end - 5;
            } else {
                return;
            }
            int keyFrom = valueFrom - FROM_FINALIZE_TAIL.length();
            if (keyFrom > i && s.startsWith(FROM_FINALIZE_TAIL, keyFrom)) {
                fromFinalize = valueFrom == end - 4;
                seen |= 1 << FROM_FINALIZE;
            }
        }

        /** Which of {@link #KEYS} the key is, or -1: by length first, so at most two comparisons. */
        private int key(int from, int to) {
            switch (to - from) {
                case 4: return match(from, TYPE, CODE);
                case 5: return match(from, EVENT, START);
                case 7: return match(from, TRIGGER, VARIANT);
                case 8: return match(from, IS_FINAL, DURATION);
                case 13: return match(from, FROM_FINALIZE, FROM_FINALIZE);
                case 16: return match(from, WINDOW_END, WINDOW_END);
                case 18: return match(from, WINDOW_START, WINDOW_START);
                default: return -1;
            }
        }

        private int match(int from, int a, int b) {
            if (s.regionMatches(from, KEYS[a], 0, KEYS[a].length())) {
                return a;
            }
            return b != a && s.regionMatches(from, KEYS[b], 0, KEYS[b].length()) ? b : -1;
        }

        private void set(int key, String value) {
            switch (key) {
                case TYPE: type = value; break;
                case EVENT: event = value; break;
                case TRIGGER: trigger = value; break;
                case VARIANT: variant = value; break;
                default: code = value; break;
            }
        }

        private void scalar(int key, int from, int to) {
            switch (key) {
                case IS_FINAL: isFinal = isTrue(from, to); break;
                case FROM_FINALIZE: fromFinalize = isTrue(from, to); break;
                case START: start = number(from, to); break;
                case DURATION: duration = number(from, to); break;
                case WINDOW_START: windowStart = number(from, to); break;
                case WINDOW_END: windowEnd = number(from, to); break;
                case CODE: code = s.substring(from, to); break; // some Error frames carry a numeric code
                default: break;
            }
        }

        private boolean isTrue(int from, int to) {
            return to - from == 4 && s.startsWith("true", from);
        }

        /** A known value as its constant; anything else (or with escapes) as a copy. */
        private String value(int from, int to) {
            int length = to - from;
            for (String known : KNOWN_VALUES) {
                if (known.length() == length && s.regionMatches(from, known, 0, length)) {
                    return known;
                }
            }
            return unescape(from, to);
        }

        private String unescape(int from, int to) {
            int backslash = s.indexOf('\\', from);
            if (backslash < 0 || backslash >= to) {
                return s.substring(from, to);
            }
            StringBuilder sb = new StringBuilder(to - from);
            for (int k = from; k < to; k++) {
                char c = s.charAt(k);
                if (c == '\\' && k + 1 < to) {
                    char e = s.charAt(++k);
                    if (e == 'u') {
                        k += 4;
                        c = '?';
                    } else {
                        c = e;
                    }
                }
                sb.append(c);
            }
            return sb.toString();
        }

        /**
         * Plain decimals ({@code -12.345}, up to 15 digits) as one division, which is correctly
         * rounded; anything else (exponents, long mantissas) through {@code Double.parseDouble}.
         */
        private double number(int from, int to) {
            int k = from;
            boolean negative = k < to && s.charAt(k) == '-';
            if (negative) {
                k++;
            }
            long mantissa = 0;
            int digits = 0;
            int fraction = -1;
            for (; k < to; k++) {
                char c = s.charAt(k);
                if (c >= '0' && c <= '9') {
                    mantissa = mantissa * 10 + (c - '0');
                    digits++;
                    if (fraction >= 0) {
                        fraction++;
                    }
                } else if (c == '.' && fraction < 0) {
                    fraction = 0;
                } else {
                    digits = Integer.MAX_VALUE; // exponent or something else: the slow path
                    break;
                }
            }
            if (digits > 0 && digits <= 15 && fraction != 0) {
                double value = fraction > 0 ? mantissa / POWERS_OF_TEN[fraction] : mantissa;
                return negative ? -value : value;
            }
            try {
                return Double.parseDouble(s.substring(from, to));
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        /** Past a nested object or array, strings inside it included. */
        private void skipNested() {
            int depth = 0;
            while (true) {
                char c = s.charAt(i);
                if (c == '"') {
                    i = closingQuote(i + 1) + 1;
                    continue;
                }
                if (c == '{' || c == '[') {
                    depth++;
                } else if (c == '}' || c == ']') {
                    if (--depth == 0) {
                        i++;
                        return;
                    }
                }
                i++;
            }
        }

        /** The index of the quote that ends the string whose first character is at {@code from}. */
        private int closingQuote(int from) {
            int q = s.indexOf('"', from);
            while (q >= 0) {
                int backslashes = 0;
                for (int k = q - 1; k >= from && s.charAt(k) == '\\'; k--) {
                    backslashes++;
                }
                if ((backslashes & 1) == 0) {
                    return q;
                }
                q = s.indexOf('"', q + 1);
            }
            throw new IllegalArgumentException("unterminated string");
        }

        private void ws() {
            while (i < n) {
                char c = s.charAt(i);
                if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                    return;
                }
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
