package dev.deepgramagent.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.Request;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.internal.concurrent.TaskRunner;
import okhttp3.internal.ws.RealWebSocket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The receive path: a typical {@code Results} message (a final result of eight words, as Deepgram
 * sends it) handed to OkHttp's {@code RealWebSocket.onReadMessage}, the method the agent
 * instruments, with a listener that does nothing with it; and, as the yardstick, what the app's own
 * Jackson parse of the same message costs ({@link #jacksonParse}, no agent involved). The socket is
 * built as {@link SendBenchmark}'s, never connected.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReceiveBenchmark {

    /** A final {@code Results} of eight words, with Deepgram's field order (from_finalize last). */
    public static final String RESULTS = results();

    @Param({SendBenchmark.TRACKED_PATH})
    public String path;

    private RealWebSocket socket;
    private final ObjectMapper mapper = new ObjectMapper();
    private int received;

    @Setup(Level.Trial)
    public void create() {
        Request request = new Request.Builder()
                .url("ws://127.0.0.1:9" + path + "?encoding=linear16&sample_rate=16000&channels=1")
                .build();
        socket = new RealWebSocket(TaskRunner.INSTANCE, request, new WebSocketListener() {
            @Override
            public void onMessage(WebSocket webSocket, String text) {
                received += text.length();
            }
        }, new Random(), 0, null, 0);
    }

    /**
     * With the agent, the control that the socket measured was a tracked one: one audio frame sent
     * on it after the measurement must be counted (see {@link SendBenchmark#checkTracking}).
     */
    @TearDown(Level.Trial)
    public void checkTracking() {
        if (System.getProperty(SendBenchmark.METRICS_PORT_PROPERTY) != null) {
            socket.send(okio.ByteString.of(new byte[640]));
            SendBenchmark.checkTracking(true, 640, "OkHttp socket of the receive benchmark");
        }
    }

    @Benchmark
    public int receive() throws IOException {
        socket.onReadMessage(RESULTS);
        return received;
    }

    @Benchmark
    public JsonNode jacksonParse() throws IOException {
        return mapper.readTree(RESULTS);
    }

    private static String results() {
        String[] words = {"so", "the", "meeting", "moved", "to", "thursday", "at", "noon"};
        StringBuilder w = new StringBuilder();
        StringBuilder transcript = new StringBuilder();
        double t = 0.32;
        for (int i = 0; i < words.length; i++) {
            String punctuated = i == 0 ? "So" : i == words.length - 1 ? "noon." : words[i];
            w.append(i == 0 ? "" : ",").append("{\"word\":\"").append(words[i]).append("\",\"start\":")
                    .append(String.format(java.util.Locale.ROOT, "%.2f", t)).append(",\"end\":")
                    .append(String.format(java.util.Locale.ROOT, "%.2f", t + 0.24)).append(",\"confidence\":0.99")
                    .append(i).append(",\"punctuated_word\":\"").append(punctuated).append("\"}");
            transcript.append(i == 0 ? "" : " ").append(punctuated);
            t += 0.28;
        }
        return "{\"type\":\"Results\",\"channel_index\":[0,1],\"duration\":2.58,\"start\":11.2,\"is_final\":true,"
                + "\"speech_final\":true,\"channel\":{\"alternatives\":[{\"transcript\":\"" + transcript
                + "\",\"confidence\":0.9951172,\"words\":[" + w + "]}]},\"metadata\":{\"request_id\":"
                + "\"5b0fcb4a-8a46-4a43-b2c5-4b6a0f2a4c61\",\"model_info\":{\"name\":\"2-general-nova\",\"version\":"
                + "\"2024-01-18.26916\",\"arch\":\"nova-3\"},\"model_uuid\":\"1dbdfb4d-85b2-4659-90e6-2e5a8a84e7d3\"},"
                + "\"from_finalize\":false}";
    }
}
