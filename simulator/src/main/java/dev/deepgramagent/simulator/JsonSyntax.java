package dev.deepgramagent.simulator;

/**
 * A strict JSON syntax check and a reader for a top-level string field: all the simulator needs
 * to tell a control message from garbage, without a JSON library.
 */
final class JsonSyntax {

    private final String s;
    private int i;

    private JsonSyntax(String s) {
        this.s = s;
    }

    static boolean isValid(String text) {
        JsonSyntax p = new JsonSyntax(text);
        try {
            p.ws();
            p.value(0);
            p.ws();
            return p.i == p.s.length();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The value of a top-level {@code "name": "..."} string field of a valid JSON object, or null. */
    static String topLevelString(String text, String name) {
        JsonSyntax p = new JsonSyntax(text);
        try {
            p.ws();
            if (p.peek() != '{') {
                return null;
            }
            p.i++;
            p.ws();
            if (p.peek() == '}') {
                return null;
            }
            while (true) {
                p.ws();
                String key = p.string();
                p.ws();
                p.expect(':');
                p.ws();
                if (key.equals(name) && p.peek() == '"') {
                    return p.string();
                }
                p.value(1);
                p.ws();
                if (p.peek() == ',') {
                    p.i++;
                    continue;
                }
                return null;
            }
        } catch (RuntimeException e) {
            return null;
        }
    }

    private char peek() {
        return s.charAt(i);
    }

    private void expect(char c) {
        if (s.charAt(i) != c) {
            throw new IllegalStateException();
        }
        i++;
    }

    private void ws() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
    }

    private void value(int depth) {
        if (depth > 64) {
            throw new IllegalStateException();
        }
        char c = peek();
        if (c == '{') {
            i++;
            ws();
            if (peek() == '}') {
                i++;
                return;
            }
            while (true) {
                ws();
                string();
                ws();
                expect(':');
                ws();
                value(depth + 1);
                ws();
                if (peek() == ',') {
                    i++;
                } else {
                    expect('}');
                    return;
                }
            }
        } else if (c == '[') {
            i++;
            ws();
            if (peek() == ']') {
                i++;
                return;
            }
            while (true) {
                ws();
                value(depth + 1);
                ws();
                if (peek() == ',') {
                    i++;
                } else {
                    expect(']');
                    return;
                }
            }
        } else if (c == '"') {
            string();
        } else if (s.startsWith("true", i)) {
            i += 4;
        } else if (s.startsWith("false", i)) {
            i += 5;
        } else if (s.startsWith("null", i)) {
            i += 4;
        } else {
            number();
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                throw new IllegalStateException();
            }
            if (c == '\\') {
                char e = s.charAt(i++);
                switch (e) {
                    case '"': case '\\': case '/': sb.append(e); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u':
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                        break;
                    default: throw new IllegalStateException();
                }
            } else {
                sb.append(c);
            }
        }
    }

    private void number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        while (i < s.length() && "0123456789.eE+-".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String n = s.substring(start, i);
        if (n.isEmpty() || n.equals("-")) {
            throw new IllegalStateException();
        }
        try {
            Double.parseDouble(n);
        } catch (NumberFormatException e) {
            throw new IllegalStateException();
        }
    }
}
