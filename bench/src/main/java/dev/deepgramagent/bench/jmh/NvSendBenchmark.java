package dev.deepgramagent.bench.jmh;

import com.neovisionaries.ws.client.WebSocket;
import com.neovisionaries.ws.client.WebSocketFactory;
import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;
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
import java.util.concurrent.TimeUnit;

/**
 * nv-websocket-client's {@code WebSocket.sendBinary(byte[])} with one 640-byte frame: the library
 * builds the frame and passes it to {@code sendFrame}, the method the agent instruments, in the
 * fork's JVM with or without the agent.
 *
 * <p>The socket is a real one, opened to the in-process simulator (tracked by the agent from its
 * handshake, or not: {@link #UNTRACKED_PATH} is the simulator's echo path). Its writing thread is
 * then replaced by one of the library's that is never started: each frame is queued as in an app
 * (so it escapes, as it does there), and the benchmark empties the queue after each batch. What is
 * measured is the library's send and the agent's advice, without the writing thread, the network
 * and the simulator sharing the 2 cores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NvSendBenchmark {

    public static final String TRACKED_PATH = "/v1/listen";
    public static final String UNTRACKED_PATH = "/echo";
    static final int BATCH = 5000;

    @Param({TRACKED_PATH})
    public String path;

    private DeepgramSimulator sim;
    private WebSocket socket;
    private byte[] frame;
    /** The stand-in writing thread, and its queue. */
    private Object queue;
    private java.util.List<?> queued;

    @Setup(Level.Trial)
    public void open() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults());
        String url = TRACKED_PATH.equals(path)
                ? sim.listenUrl() + "?encoding=linear16&sample_rate=16000&channels=1&sim_idle_timeout=3600s"
                : sim.echoUrl();
        socket = new WebSocketFactory().createSocket(url).addHeader("Authorization", "Token bench").connect();
        // A writing thread of the library's own that is never started: sendFrame queues each frame to it
        // (its lock, its list) as to the real one, and the benchmark empties its queue after each batch.
        Class<?> type = Class.forName("com.neovisionaries.ws.client.WritingThread");
        java.lang.reflect.Constructor<?> make = type.getDeclaredConstructor(WebSocket.class);
        make.setAccessible(true);
        queue = make.newInstance(socket);
        Field frames = type.getDeclaredField("mFrames");
        frames.setAccessible(true);
        queued = (java.util.List<?>) frames.get(queue);
        Field writer = WebSocket.class.getDeclaredField("mWritingThread");
        writer.setAccessible(true);
        writer.set(socket, queue);
        frame = new byte[640];
    }

    /** With the agent: it counted the audio of the tracked socket and none on the other one (see SendBenchmark). */
    @TearDown(Level.Trial)
    public void checkTrackingAndClose() {
        try {
            SendBenchmark.checkTracking(TRACKED_PATH.equals(path), (long) BATCH * frame.length, "nv-websocket socket");
        } finally {
            sim.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int send() {
        WebSocket s = socket;
        byte[] f = frame;
        int sent = 0;
        for (int i = 0; i < BATCH; i++) {
            if (s.sendBinary(f) == s) {
                sent++;
            }
        }
        if (sent != BATCH) {
            throw new IllegalStateException((BATCH - sent) + " sends did not answer the socket");
        }
        synchronized (queue) {
            if (queued.size() < BATCH) {
                throw new IllegalStateException("only " + queued.size() + " frames were queued");
            }
            queued.clear(); // as the writing thread takes them
        }
        return sent;
    }
}
