package dev.deepgramagent.install;

import java.util.Set;

/**
 * The classes the agent instruments, by JVM internal name. Kept apart from the instrumentation
 * modules so that the start-up name gate can be built without loading Byte Buddy.
 */
final class InstrumentedTypes {

    static final Set<String> INTERNAL_NAMES = Set.of(
            "okhttp3/internal/ws/RealWebSocket",
            "jdk/internal/net/http/websocket/BuilderImpl",
            "jdk/internal/net/http/websocket/OpeningHandshake",
            "jdk/internal/net/http/websocket/WebSocketImpl",
            "jdk/internal/net/http/websocket/WebSocketImpl$SignallingMessageConsumer",
            "io/netty/handler/codec/http/websocketx/WebSocketClientHandshaker",
            "reactor/netty/http/client/WebsocketClientOperations",
            "io/vertx/core/http/impl/WebSocketHandshakeInboundHandler",
            "com/neovisionaries/ws/client/WebSocketFactory",
            "com/neovisionaries/ws/client/WebSocket",
            "com/neovisionaries/ws/client/ListenerManager",
            "com/neovisionaries/ws/client/ReadingThread$CloseTask",
            "org/java_websocket/client/WebSocketClient",
            "org/java_websocket/WebSocketImpl",
            "org/java_websocket/drafts/Draft_6455",
            "org/java_websocket/AbstractWebSocket",
            "org/eclipse/jetty/websocket/core/client/CoreClientUpgradeRequest",
            "org/eclipse/jetty/websocket/core/WebSocketCoreSession",
            "org/eclipse/jetty/websocket/common/WebSocketSession",
            "org/glassfish/tyrus/client/TyrusClientEngine",
            "org/glassfish/tyrus/core/TyrusEndpointWrapper",
            "org/glassfish/tyrus/core/TyrusSession",
            "org/glassfish/tyrus/core/TyrusRemoteEndpoint$Basic",
            "org/glassfish/tyrus/core/TyrusRemoteEndpoint$Async",
            "org/glassfish/tyrus/container/grizzly/client/GrizzlyClientContainer");

    /** Library names for the start-up line. */
    static final String SUMMARY = "okhttp (okhttp3.internal.ws.RealWebSocket), jdk (java.net.http.WebSocket), "
            + "netty (io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker: reactor-netty, Vert.x, plain Netty), "
            + "nv-websocket (com.neovisionaries.ws.client.WebSocket), java-websocket (org.java_websocket.WebSocketImpl), jetty (org.eclipse.jetty.websocket.core.WebSocketCoreSession), "
            + "jakarta (org.glassfish.tyrus.core.TyrusSession: Tyrus 2)";

    /** For the "instrumented" debug line: how the class got its advice. */
    static String howInstrumented(boolean retransformed) {
        return retransformed ? "retransformed, it was loaded before the agent" : "at class load";
    }

    private InstrumentedTypes() {
    }
}
