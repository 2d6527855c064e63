package dev.deepgramagent.bench.jmh;

import dev.deepgramagent.bench.apps.AgentMetricsReader;
import okhttp3.Request;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okhttp3.internal.concurrent.TaskRunner;
import okhttp3.internal.ws.RealWebSocket;
import okio.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * OkHttp's {@code RealWebSocket.send(ByteString)} with one 640-byte frame (20 ms of 16 kHz
 * linear16): the method the agent instruments, in the fork's JVM with or without the agent.
 *
 * <p>The socket is built the way {@code OkHttpClient.newWebSocket} builds it but never connected,
 * so the frames stay in its queue and no writer thread, server or network shares the 2 cores
 * with the measurement (a connected socket made the run-to-run error larger than the figure being
 * measured). The agent tracks a socket from its construction, so the advice on the tracked socket
 * runs exactly its audio path. Between batches, outside the measurement, the queue is emptied
 * (OkHttp fails a socket whose queue passes 16 MiB). The path decides whether the agent tracks the
 * socket: {@link #TRACKED_PATH} is a Deepgram endpoint on the {@code hosts} the runner configures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SendBenchmark {

    public static final String TRACKED_PATH = "/v1/listen";
    public static final String UNTRACKED_PATH = "/media/stream";
    static final int BATCH = 5000;
    /** Set in the forks with the agent: the port of its metrics endpoint, read by {@link #checkTracking}. */
    public static final String METRICS_PORT_PROPERTY = "bench.agent.metricsPort";

    @Param({TRACKED_PATH})
    public String path;

    private RealWebSocket socket;
    private ByteString frame;
    private ArrayDeque<?> queue;
    private Field queueSize;

    @Setup(Level.Trial)
    public void create() throws ReflectiveOperationException {
        Request request = new Request.Builder()
                .url("ws://127.0.0.1:9" + path + "?encoding=linear16&sample_rate=16000&channels=1")
                .build();
        socket = new RealWebSocket(TaskRunner.INSTANCE, request, new WebSocketListener() {
        }, new Random(), 0, null, 0);
        frame = ByteString.of(new byte[640]);
        Field q = RealWebSocket.class.getDeclaredField("messageAndCloseQueue");
        q.setAccessible(true);
        queue = (ArrayDeque<?>) q.get(socket);
        queueSize = RealWebSocket.class.getDeclaredField("queueSize");
        queueSize.setAccessible(true);
    }

    /** Outside the measurement: empty the queue the last batch filled. */
    @Setup(Level.Invocation)
    public void emptyQueue() throws IllegalAccessException {
        synchronized (socket) {
            queue.clear();
            queueSize.setLong(socket, 0);
        }
    }

    /**
     * With the agent, the control that the figure is what it claims to be: the agent counted the
     * audio of the tracked socket, and none on the other one. Without it a socket the agent failed
     * to instrument or track would show no overhead and pass.
     */
    @TearDown(Level.Trial)
    public void checkTracking() {
        checkTracking(TRACKED_PATH.equals(path), (long) BATCH * frame.size(), "OkHttp socket");
    }

    /**
     * Every send benchmark's check, in its forks with the agent (the metrics port is set): at least
     * {@code minimumBytes} of audio counted on the tracked socket, none on the untracked one.
     */
    public static void checkTracking(boolean tracked, long minimumBytes, String what) {
        String port = System.getProperty(METRICS_PORT_PROPERTY);
        if (port == null) {
            return;
        }
        double counted = AgentMetricsReader.sum(Integer.parseInt(port), AgentMetricsReader.AUDIO_SENT_BYTES);
        if (!(tracked ? counted >= (double) minimumBytes : counted == 0)) { // NaN fails too
            throw new IllegalStateException("the agent counted " + (long) counted + " audio bytes on the "
                    + (tracked ? "tracked" : "untracked") + " " + what);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int send() {
        WebSocket s = socket;
        ByteString f = frame;
        int sent = 0;
        for (int i = 0; i < BATCH; i++) {
            if (s.send(f)) {
                sent++;
            }
        }
        if (sent != BATCH) {
            throw new IllegalStateException("the socket refused " + (BATCH - sent) + " frames");
        }
        return sent;
    }
}
