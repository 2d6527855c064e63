package dev.deepgramagent.bench.jmh;

import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;
import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import org.glassfish.tyrus.client.ClientManager;
import org.glassfish.tyrus.client.ClientProperties;
import org.glassfish.tyrus.core.MaskingKeyGenerator;
import org.glassfish.tyrus.core.ProtocolHandler;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Jakarta WebSocket on Tyrus 2: {@code session.getBasicRemote().sendBinary(ByteBuffer)} with one
 * {@value #FRAME_BYTES}-byte frame, the blocking send apps use for audio, which the agent instruments
 * on Tyrus's {@code RemoteEndpoint.Basic}; in the fork's JVM with or without the agent.
 *
 * <p>The session is a real one, connected to the in-process simulator (tracked by the agent from its
 * handshake, or not: {@link #UNTRACKED_PATH} is the simulator's echo path). Its transport writer is
 * then replaced by one that completes each frame as soon as Tyrus hands it over, so that what is
 * measured is Tyrus's send (its copy, masking, framing and future) and the agent's advice, without
 * the network, Grizzly's threads and the simulator sharing the 2 cores.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TyrusSendBenchmark {

    public static final String TRACKED_PATH = "/v1/listen";
    public static final String UNTRACKED_PATH = "/echo";
    static final int BATCH = 5000;
    /** Tyrus copies and masks every byte: a small frame keeps that (and its run-to-run spread) from hiding a 25 ns figure. */
    public static final int FRAME_BYTES = 32;

    @Param({TRACKED_PATH})
    public String path;

    private DeepgramSimulator sim;
    private ClientManager client;
    private RemoteEndpoint.Basic remote;
    private ByteBuffer frame;

    /** The transport's stand-in: every frame written at once. */
    static final class Drained extends Writer {
        @Override
        public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> completionHandler) {
            if (completionHandler != null) {
                completionHandler.completed(buffer);
            }
        }

        @Override
        public void close() {
        }
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults());
        String url = TRACKED_PATH.equals(path)
                ? sim.listenUrl() + "?encoding=linear16&sample_rate=16000&channels=1&sim_idle_timeout=3600s"
                : sim.echoUrl();
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create().configurator(new ClientEndpointConfig.Configurator() {
            @Override
            public void beforeRequest(Map<String, List<String>> headers) {
                headers.put("Authorization", List.of("Token bench"));
            }
        }).build();
        client = ClientManager.createClient();
        // Tyrus draws each frame's mask from a SecureRandom by default: a fixed mask keeps that cost and its spread out.
        client.getProperties().put(ClientProperties.MASKING_KEY_GENERATOR, (MaskingKeyGenerator) () -> 0x5a5a5a5a);
        Session session = client.connectToServer(new Endpoint() {
            @Override
            public void onOpen(Session s, EndpointConfig c) {
            }
        }, config, URI.create(url));
        remote = session.getBasicRemote();
        // session.basicRemote.webSocket.protocolHandler: the handler that frames and writes each message.
        Object socket = field(Class.forName("org.glassfish.tyrus.core.TyrusRemoteEndpoint"), "webSocket").get(remote);
        ProtocolHandler handler = (ProtocolHandler) field(socket.getClass(), "protocolHandler").get(socket);
        handler.setWriter(new Drained());
        frame = ByteBuffer.allocate(FRAME_BYTES);
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    /** With the agent: it counted the audio of the tracked session and none on the other one (see SendBenchmark). */
    @TearDown(Level.Trial)
    public void checkTrackingAndClose() {
        try {
            SendBenchmark.checkTracking(TRACKED_PATH.equals(path), (long) BATCH * FRAME_BYTES, "Tyrus session");
        } finally {
            client.shutdown();
            sim.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int send() throws Exception {
        RemoteEndpoint.Basic r = remote;
        ByteBuffer f = frame;
        for (int i = 0; i < BATCH; i++) {
            f.clear();
            r.sendBinary(f);
        }
        return BATCH;
    }
}
