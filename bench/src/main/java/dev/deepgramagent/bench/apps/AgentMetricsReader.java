package dev.deepgramagent.bench.apps;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;

/**
 * Reads the agent's own metrics endpoint from inside a benchmark's app: the controls that the
 * agent really tracked what a figure claims it measured.
 */
public final class AgentMetricsReader {

    public static final String SESSIONS_ACTIVE = "deepgram_agent_sessions_active";
    public static final String AUDIO_SENT_BYTES = "deepgram_agent_audio_sent_bytes_total";
    public static final String SESSIONS_OPENED = "deepgram_agent_sessions_opened_total";
    public static final String SESSIONS_ENDED = "deepgram_agent_sessions_ended_total";

    private AgentMetricsReader() {
    }

    /** The sum of every series of {@code metric} (over its labels); NaN if the endpoint cannot be read. */
    public static double sum(int port, String metric) {
        return sum(port, metric, "");
    }

    /**
     * The sum of the series of {@code metric} whose labels contain {@code label} (as written in
     * the exposition, {@code root_cause="unknown"} say); NaN if the endpoint cannot be read.
     */
    public static double sum(int port, String metric, String label) {
        try {
            URLConnection c = new URL("http://127.0.0.1:" + port + "/metrics").openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(5_000);
            double sum = 0;
            try (InputStream in = c.getInputStream()) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    boolean series = line.startsWith(metric + "{") || line.startsWith(metric + " ");
                    if (series && line.substring(0, line.lastIndexOf(' ')).contains(label)) {
                        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** {@code metric} once it equals {@code expected}, or its last reading after {@code seconds}. */
    static double await(int port, String metric, double expected, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        double value;
        while ((value = sum(port, metric)) != expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return value;
    }
}
