package dev.deepgramagent.bench.apps;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * Reads the agent's own metrics endpoint from inside a benchmark's app: the controls that the
 * agent really tracked what a figure claims it measured.
 */
public final class AgentMetricsReader {

    public static final String SESSIONS_ACTIVE = "deepgram_agent_sessions_active";
    public static final String AUDIO_SENT_BYTES = "deepgram_agent_audio_sent_bytes_total";

    private AgentMetricsReader() {
    }

    /** The sum of every series of {@code metric} (over its labels); NaN if the endpoint cannot be read. */
    public static double sum(int port, String metric) {
        try (InputStream in = new URL("http://127.0.0.1:" + port + "/metrics").openStream()) {
            double sum = 0;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (IOException | NumberFormatException e) {
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
