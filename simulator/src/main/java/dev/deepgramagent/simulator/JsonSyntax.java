package dev.deepgramagent.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader, small enough to need no JSON library: objects become
 * {@code Map<String, Object>} (insertion order), arrays {@code List<Object>}, numbers
 * {@code Double}, strings, booleans, and JSON {@code null} Java {@code null}. Enough for the
 * simulator to tell a control message from garbage and to check a Configure message.
 */
final class JsonSyntax {

    private final String s;
    private int i;

    private JsonSyntax(String s) {
        this.s = s;
    }

    /** The value of {@code text}. @throws IllegalArgumentException when it is not exactly one JSON value. */
    static Object parse(String text) {
        JsonSyntax p = new JsonSyntax(text);
        try {
            p.ws();
            Object v = p.value(0);
            p.ws();
            if (p.i != p.s.length()) {
                throw new IllegalStateException();
            }
            return v;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
    }

    static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The value of a top-level {@code "name": "..."} string field of a valid JSON object, or null. */
    static String topLevelString(String text, String name) {
        try {
            Object v = parse(text);
            if (v instanceof Map) {
                Object field = ((Map<?, ?>) v).get(name);
                return field instanceof String ? (String) field : null;
            }
            return null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** True when {@code v} is a JSON array whose elements are all strings. */
    static boolean isStringArray(Object v) {
        if (!(v instanceof List)) {
            return false;
        }
        for (Object o : (List<?>) v) {
            if (!(o instanceof String)) {
                return false;
            }
        }
        return true;
    }

    /** {@code text} as a JSON string literal, quotes included. */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
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

    private Object value(int depth) {
        if (depth > 64) {
            throw new IllegalStateException();
        }
        char c = peek();
        if (c == '{') {
            i++;
            Map<String, Object> map = new LinkedHashMap<>();
            ws();
            if (peek() == '}') {
                i++;
                return map;
            }
            while (true) {
                ws();
                String key = string();
                ws();
                expect(':');
                ws();
                map.put(key, value(depth + 1));
                ws();
                if (peek() == ',') {
                    i++;
                } else {
                    expect('}');
                    return map;
                }
            }
        } else if (c == '[') {
            i++;
            List<Object> list = new ArrayList<>();
            ws();
            if (peek() == ']') {
                i++;
                return list;
            }
            while (true) {
                ws();
                list.add(value(depth + 1));
                ws();
                if (peek() == ',') {
                    i++;
                } else {
                    expect(']');
                    return list;
                }
            }
        } else if (c == '"') {
            return string();
        } else if (s.startsWith("true", i)) {
            i += 4;
            return Boolean.TRUE;
        } else if (s.startsWith("false", i)) {
            i += 5;
            return Boolean.FALSE;
        } else if (s.startsWith("null", i)) {
            i += 4;
            return null;
        } else {
            return number();
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

    private Double number() {
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
            return Double.parseDouble(n);
        } catch (NumberFormatException e) {
            throw new IllegalStateException();
        }
    }
}
