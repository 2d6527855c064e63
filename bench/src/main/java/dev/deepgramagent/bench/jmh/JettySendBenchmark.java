package dev.deepgramagent.bench.jmh;

import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.eclipse.jetty.websocket.core.ExtensionStack;
import org.eclipse.jetty.websocket.core.OutgoingFrames;
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
import java.util.concurrent.TimeUnit;

/**
 * Jetty 12.1's WebSocket client: {@code Session.sendBinary(ByteBuffer, Callback)} with one 640-byte
 * frame, which reaches the core session's {@code sendFrame(OutgoingEntry)}, the method the agent
 * instruments; in the fork's JVM with or without the agent.
 *
 * <p>The session is a real one, connected to the in-process simulator (tracked by the agent from its
 * upgrade, or not: {@link #UNTRACKED_PATH} is the simulator's echo path). The end of its extension
 * stack (the adaptor to the connection, which masks the frame and queues it for Jetty's frame flusher)
 * is then replaced by one that completes each frame as soon as it arrives, so that what is measured is
 * Jetty's send path up to the connection (the session's fragmenting flusher included) and the agent's
 * advice, without the masking, the flusher's thread, the network and the simulator sharing the 2 cores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JettySendBenchmark {

    public static final String TRACKED_PATH = "/v1/listen";
    public static final String UNTRACKED_PATH = "/echo";
    static final int BATCH = 5000;
    static final int FRAME_BYTES = 640;

    @Param({TRACKED_PATH})
    public String path;

    private DeepgramSimulator sim;
    private WebSocketClient client;
    private Session session;
    private ByteBuffer frame;

    /** Jetty calls the endpoint through method handles: a public class. */
    public static final class Endpoint implements Session.Listener.AutoDemanding {
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults());
        String url = TRACKED_PATH.equals(path)
                ? sim.listenUrl() + "?encoding=linear16&sample_rate=16000&channels=1&sim_idle_timeout=3600s"
                : sim.echoUrl();
        client = new WebSocketClient();
        client.start();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        request.setHeader("Authorization", "Token bench");
        session = client.connect(new Endpoint(), URI.create(url), request).get(10, TimeUnit.SECONDS);
        session.setIdleTimeout(java.time.Duration.ZERO);
        // coreSession.extensionStack.outgoing: the flusher at the end of the send path.
        Field core = session.getClass().getDeclaredField("coreSession");
        core.setAccessible(true);
        ExtensionStack stack = ((WebSocketCoreSession) core.get(session)).getExtensionStack();
        Field outgoing = ExtensionStack.class.getDeclaredField("outgoing");
        outgoing.setAccessible(true);
        outgoing.set(stack, (OutgoingFrames) entry -> entry.getCallback().succeeded());
        frame = ByteBuffer.allocate(FRAME_BYTES);
    }

    /** With the agent: it counted the audio of the tracked session and none on the other one (see SendBenchmark). */
    @TearDown(Level.Trial)
    public void checkTrackingAndClose() throws Exception {
        try {
            SendBenchmark.checkTracking(TRACKED_PATH.equals(path), (long) BATCH * FRAME_BYTES, "Jetty session");
        } finally {
            client.stop();
            sim.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int send() {
        Session s = session;
        ByteBuffer f = frame;
        for (int i = 0; i < BATCH; i++) {
            f.clear();
            s.sendBinary(f, Callback.NOOP);
        }
        return BATCH;
    }
}
