package dev.deepgramagent.bench.jmh;

import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
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
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Java-WebSocket's {@code WebSocketClient.send(byte[])} with one {@value #FRAME_BYTES}-byte frame: the
 * library frames it and queues it for its write thread through {@code WebSocketImpl.send(ByteBuffer)},
 * the method the agent instruments, in the fork's JVM with or without the agent.
 *
 * <p>The client is a real one, connected to the in-process simulator (tracked by the agent from its
 * handshake, or not: {@link #UNTRACKED_PATH} is the simulator's echo path). Its write queue is then
 * replaced by one that gives each frame up as soon as it is queued, so that what is measured is the
 * library's send and the agent's advice, without the write thread, the network and the simulator
 * sharing the 2 cores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JavaWebSocketSendBenchmark {

    public static final String TRACKED_PATH = "/v1/listen";
    public static final String UNTRACKED_PATH = "/echo";
    static final int BATCH = 5000;
    /**
     * The agent's work per send does not depend on the frame's size, but Java-WebSocket's does: it masks
     * each byte through ByteBuffer calls and builds a String of the frame for a trace log line, some
     * 5 µs for 640 B that vary by ±2 µs from one run to the next, which would hide a 25 ns figure.
     */
    public static final int FRAME_BYTES = 32;

    @Param({TRACKED_PATH})
    public String path;

    private DeepgramSimulator sim;
    private WebSocketClient client;
    private byte[] frame;

    /**
     * The write queue's stand-in: the library's own queue type, which takes each frame as the real one
     * does (its lock, its node) and gives it up at once, as the write thread would, on this thread.
     */
    static final class Drained extends LinkedBlockingQueue<ByteBuffer> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean add(ByteBuffer b) {
            boolean added = super.add(b);
            poll();
            return added;
        }
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults());
        String url = TRACKED_PATH.equals(path)
                ? sim.listenUrl() + "?encoding=linear16&sample_rate=16000&channels=1&sim_idle_timeout=3600s"
                : sim.echoUrl();
        client = new WebSocketClient(URI.create(url), Map.of("Authorization", "Token bench")) {
            @Override
            public void onOpen(ServerHandshake handshake) {
            }

            @Override
            public void onMessage(String message) {
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {
            }

            @Override
            public void onError(Exception ex) {
            }
        };
        client.setConnectionLostTimeout(0);
        if (!client.connectBlocking(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the bench's Java-WebSocket client did not connect");
        }
        Field queue = WebSocketImpl.class.getDeclaredField("outQueue");
        queue.setAccessible(true);
        queue.set(client.getConnection(), new Drained());
        frame = new byte[FRAME_BYTES];
    }

    /** With the agent: it counted the audio of the tracked socket and none on the other one (see SendBenchmark). */
    @TearDown(Level.Trial)
    public void checkTrackingAndClose() {
        try {
            SendBenchmark.checkTracking(TRACKED_PATH.equals(path), (long) BATCH * frame.length, "Java-WebSocket socket");
        } finally {
            sim.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int send() {
        WebSocketClient c = client;
        byte[] f = frame;
        for (int i = 0; i < BATCH; i++) {
            c.send(f);
        }
        return BATCH;
    }
}
