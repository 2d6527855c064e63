package dev.deepgramagent.core;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Decides which WebSocket URLs are Deepgram streaming sessions: the host must match the
 * {@code hosts} key and the path must be a live transcription path. Everything else is untouched.
 */
public final class DeepgramEndpoints {

    /** The endpoint families the agent understands; also the {@code endpoint} metric label. */
    public enum Endpoint {
        LISTEN_V1("/v1/listen"),
        LISTEN_V2("/v2/listen");

        private final String path;

        Endpoint(String path) {
            this.path = path;
        }

        public String label() {
            return path;
        }
    }

    private final List<String> patterns;

    public DeepgramEndpoints(List<String> hostPatterns) {
        this.patterns = List.copyOf(hostPatterns);
    }

    /** @return the endpoint of a Deepgram streaming URL, or null for any other URL. */
    public Endpoint classify(String url) {
        if (url == null) {
            return null;
        }
        URI uri;
        try {
            // Host, port and path only: a query may hold characters URI rejects (OkHttp leaves '|' unencoded).
            int q = url.indexOf('?');
            uri = URI.create(q < 0 ? url : url.substring(0, q));
        } catch (IllegalArgumentException e) {
            return null;
        }
        String host = uri.getHost();
        if (host == null || !hostMatches(host, effectivePort(uri))) {
            return null;
        }
        return endpointOf(uri.getRawPath());
    }

    static Endpoint endpointOf(String path) {
        if (path == null) {
            return null;
        }
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        for (Endpoint e : Endpoint.values()) {
            // Self-hosted deployments are often mounted under a prefix behind a proxy.
            if (p.equals(e.path) || p.endsWith(e.path)) {
                return e;
            }
        }
        return null;
    }

    boolean hostMatches(String rawHost, int port) {
        String host = rawHost.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        for (String pattern : patterns) {
            String patternHost = pattern;
            int patternPort = -1;
            if (pattern.startsWith("[")) {
                int close = pattern.indexOf(']');
                patternHost = pattern.substring(1, close);
                if (close + 1 < pattern.length()) {
                    patternPort = Integer.parseInt(pattern.substring(close + 2));
                }
            } else if (pattern.indexOf(':') >= 0) {
                int colon = pattern.lastIndexOf(':');
                patternHost = pattern.substring(0, colon);
                patternPort = Integer.parseInt(pattern.substring(colon + 1));
            }
            if (patternPort >= 0 && patternPort != port) {
                continue;
            }
            if (patternHost.startsWith("*.")) {
                if (host.endsWith(patternHost.substring(1))) {
                    return true;
                }
            } else if (host.equals(patternHost)) {
                return true;
            }
        }
        return false;
    }

    private static int effectivePort(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return scheme.equals("wss") || scheme.equals("https") ? 443 : 80;
    }
}
