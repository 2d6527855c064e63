package dev.deepgramagent.core.session;

import java.util.Locale;

/** Audio bytes per second of a session, from its URL's {@code encoding}, {@code sample_rate}, {@code channels}. */
public final class AudioFormat {

    /** 0 when the encoding is compressed, containerised or absent: seconds cannot be computed from bytes. */
    public final long bytesPerSecond;
    public final String encoding;
    /** As declared in the URL: 0 when sample_rate is absent; channels 1 when absent. */
    public final long sampleRate;
    public final long channels;

    private AudioFormat(long bytesPerSecond, String encoding, long sampleRate, long channels) {
        this.bytesPerSecond = bytesPerSecond;
        this.encoding = encoding;
        this.sampleRate = sampleRate;
        this.channels = channels;
    }

    public static AudioFormat fromUrl(String url) {
        String encoding = null;
        long rate = 0;
        long channels = 1;
        try {
            String query = rawQuery(url);
            if (query != null) {
                for (String pair : query.split("&")) {
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        continue;
                    }
                    String name = pair.substring(0, eq);
                    String value = pair.substring(eq + 1);
                    switch (name) {
                        case "encoding": encoding = value.toLowerCase(Locale.ROOT); break;
                        case "sample_rate": rate = Long.parseLong(value); break;
                        case "channels": channels = Long.parseLong(value); break;
                        default: break;
                    }
                }
            }
        } catch (RuntimeException e) {
            return new AudioFormat(0, null, 0, 1);
        }
        int bytesPerSample = encoding == null ? 0 : bytesPerSample(encoding);
        return new AudioFormat(bytesPerSample * rate * Math.max(1, channels), encoding, rate, Math.max(1, channels));
    }

    /**
     * The raw query of a URL, without parsing the URL: OkHttp leaves characters such as {@code |}
     * unencoded in queries (a keyterm "a|b"), which {@link java.net.URI} rejects.
     */
    public static String rawQuery(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return null;
        }
        int hash = url.indexOf('#', q);
        return hash < 0 ? url.substring(q + 1) : url.substring(q + 1, hash);
    }

    static int bytesPerSample(String encoding) {
        switch (encoding) {
            case "linear16": return 2;
            case "linear32": return 4;
            case "mulaw":
            case "alaw": return 1;
            default: return 0;
        }
    }

    public boolean knowsDuration() {
        return bytesPerSecond > 0;
    }

    public double seconds(long bytes) {
        return bytesPerSecond > 0 ? bytes / (double) bytesPerSecond : 0;
    }
}
