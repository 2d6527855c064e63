package dev.deepgramagent.install;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstrumentedTypesTest {

    @Test
    void theStartUpGateNamesExactlyTheModulesTypes() {
        Set<String> fromModules = new HashSet<>();
        for (InstrumentationModule m : AgentStartup.MODULES) {
            for (String type : m.typeNames()) {
                fromModules.add(type.replace('.', '/'));
            }
        }
        assertEquals(fromModules, InstrumentedTypes.INTERNAL_NAMES);
    }

    /**
     * The JDK client's classes of the JDK running this test (17 in the build, 25 in CI's second pass
     * of the forked tests) get every piece of advice: each Bridge call appears in the woven class.
     */
    @Test
    void everyJdkWebSocketMethodIsMatchedOnThisJdk() throws Exception {
        InstrumentationModule jdk = AgentStartup.MODULES.stream().filter(m -> m.library().equals("jdk")).findFirst().orElseThrow();
        Map<String, List<String>> expected = Map.of(
                "jdk.internal.net.http.websocket.BuilderImpl", List.of("tunedTimeout"),
                "jdk.internal.net.http.websocket.OpeningHandshake", List.of("socketCreated", "handshakeStarted", "socketOpened",
                        "socketRekeyed", "failed"),
                "jdk.internal.net.http.websocket.WebSocketImpl", List.of("socketRekeyed", "audioSent", "sendIssued", "textSent",
                        "closeRequested", "deferredCloseResult", "cancelRequested", "failed"),
                "jdk.internal.net.http.websocket.WebSocketImpl$SignallingMessageConsumer", List.of("textPartReceived",
                        "closeReceived", "failed"));
        Weaver weaver = new Weaver(AgentStartup.MODULES);
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (String type : jdk.typeNames()) {
            byte[] original;
            try (InputStream in = ModuleLayer.boot().findModule("java.net.http").orElseThrow().getResourceAsStream(type.replace('.', '/') + ".class")) {
                assertNotNull(in, type);
                original = in.readAllBytes();
            }
            String woven = new String(weaver.weave(platform, type, original, jdk.advice(type)), StandardCharsets.ISO_8859_1);
            for (String call : expected.get(type)) {
                assertTrue(woven.contains(call), type + " calls Bridge." + call);
            }
        }
    }

    /**
     * Netty's handshaker, reactor-netty's WebSocket operations and Vert.x's handshake handler, as
     * the versions on this test's class path ship them (Netty 4.1, reactor-netty 1.3, Vert.x 5),
     * get every piece of advice.
     */
    @Test
    void everyNettyHookIsMatched() throws Exception {
        InstrumentationModule netty = AgentStartup.MODULES.stream().filter(m -> m.library().equals("netty")).findFirst().orElseThrow();
        Map<String, List<String>> expected = Map.of(
                "io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker", List.of("socketCreated", "socketOpened", "failed"),
                "reactor.netty.http.client.WebsocketClientOperations", List.of("closeIssued"),
                "io.vertx.core.http.impl.WebSocketHandshakeInboundHandler", List.of("failed"));
        assertEquals(expected.keySet(), Set.copyOf(netty.typeNames()));
        Weaver weaver = new Weaver(AgentStartup.MODULES);
        ClassLoader loader = getClass().getClassLoader();
        for (String type : netty.typeNames()) {
            byte[] original;
            try (InputStream in = loader.getResourceAsStream(type.replace('.', '/') + ".class")) {
                assertNotNull(in, type);
                original = in.readAllBytes();
            }
            String woven = new String(weaver.weave(loader, type, original, netty.advice(type)), StandardCharsets.ISO_8859_1);
            for (String call : expected.get(type)) {
                assertTrue(woven.contains(call), type + " calls Bridge." + call);
            }
        }
    }

    /**
     * nv-websocket-client, Java-WebSocket, Jetty's WebSocket core and Tyrus, as the versions on this test's
     * class path ship them (2.14, 1.6.0, 12.1.14, 2.2.1): every hook is matched (each piece of advice's Bridge call is in the woven class),
     * and every woven class is defined, verified and initialized in a loader of its own, together
     * with the rest of its library. nv-websocket's class files are Java 5: advice must not bring
     * invokedynamic (string concatenation, lambdas) into them.
     */
    @Test
    void everyNvWebSocketJavaWebSocketJettyAndTyrusHookIsMatchedAndVerifies() throws Exception {
        Map<String, List<String>> expected = Map.ofEntries(
                Map.entry("com.neovisionaries.ws.client.WebSocketFactory", List.of("tunedTimeout")),
                Map.entry("com.neovisionaries.ws.client.WebSocket", List.of("socketCreated", "failed", "socketOpened", "tunedTimeout",
                        "binarySent", "textSent", "closeRequested")),
                Map.entry("com.neovisionaries.ws.client.ListenerManager", List.of("textReceived", "closeReceived", "failed")),
                Map.entry("com.neovisionaries.ws.client.ReadingThread$CloseTask", List.of("failed")),
                Map.entry("org.java_websocket.client.WebSocketClient", List.of("tunedTimeout", "socketCreated", "textReceived", "failed",
                        "cancelRequested")),
                Map.entry("org.java_websocket.WebSocketImpl", List.of("socketOpened", "binarySent", "textSent", "closeRequested", "failed",
                        "closeReceived")),
                Map.entry("org.java_websocket.drafts.Draft_6455", List.of("closeReceived")),
                Map.entry("org.java_websocket.AbstractWebSocket", List.of("tunedTimeout")),
                Map.entry("org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest", List.of("socketCreated", "socketOpened",
                        "socketRekeyed", "failed")),
                Map.entry("org.eclipse.jetty.websocket.core.WebSocketCoreSession", List.of("socketRekeyed", "tunedTimeout", "binarySent",
                        "textSent", "closeRequested", "closeIssued", "textPartReceived", "closeReceived", "failed")),
                Map.entry("org.eclipse.jetty.websocket.common.WebSocketSession", List.of("cancelRequested")),
                Map.entry("org.glassfish.tyrus.client.TyrusClientEngine", List.of("socketCreated", "socketOpened", "socketRekeyed",
                        "failed")),
                Map.entry("org.glassfish.tyrus.core.TyrusEndpointWrapper", List.of("socketRekeyed", "textReceived", "textPartReceived",
                        "messageDelivered", "closeReceived", "failed")),
                Map.entry("org.glassfish.tyrus.core.TyrusSession", List.of("closeRequested", "closeIssued", "failed")),
                Map.entry("org.glassfish.tyrus.container.grizzly.client.GrizzlyClientContainer", List.of("failed")),
                Map.entry("org.glassfish.tyrus.core.TyrusRemoteEndpoint$Basic", List.of("binarySent", "textSent")),
                Map.entry("org.glassfish.tyrus.core.TyrusRemoteEndpoint$Async", List.of("binarySent", "textSent", "completedFuture",
                        "onResult")));
        Weaver weaver = new Weaver(AgentStartup.MODULES);
        ClassLoader loader = getClass().getClassLoader();
        for (String library : List.of("nv-websocket", "java-websocket", "jetty", "jakarta")) {
            InstrumentationModule module = AgentStartup.MODULES.stream().filter(m -> m.library().equals(library)).findFirst().orElseThrow();
            Map<String, byte[]> woven = new java.util.HashMap<>();
            for (String type : module.typeNames()) {
                assertTrue(expected.containsKey(type), type);
                byte[] original;
                try (InputStream in = loader.getResourceAsStream(type.replace('.', '/') + ".class")) {
                    assertNotNull(in, type);
                    original = in.readAllBytes();
                }
                byte[] bytes = weaver.weave(loader, type, original, module.advice(type));
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                for (String call : expected.get(type)) {
                    assertTrue(text.contains(call), type + " calls Bridge." + call);
                }
                woven.put(type, bytes);
            }
            String libraryPackage = library.equals("nv-websocket") ? "com.neovisionaries."
                    : library.equals("jetty") ? "org.eclipse.jetty." : library.equals("jakarta") ? "org.glassfish.tyrus." : "org.java_websocket.";
            ClassLoader isolated = new ClassLoader(loader) {
                @Override
                protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                    synchronized (getClassLoadingLock(name)) {
                        if (!name.startsWith(libraryPackage)) {
                            return super.loadClass(name, resolve);
                        }
                        Class<?> c = findLoadedClass(name);
                        if (c == null) {
                            byte[] bytes = woven.get(name);
                            if (bytes == null) {
                                try (InputStream in = loader.getResourceAsStream(name.replace('.', '/') + ".class")) {
                                    if (in == null) {
                                        throw new ClassNotFoundException(name);
                                    }
                                    bytes = in.readAllBytes();
                                } catch (java.io.IOException e) {
                                    throw new ClassNotFoundException(name, e);
                                }
                            }
                            c = defineClass(name, bytes, 0, bytes.length);
                        }
                        return c;
                    }
                }
            };
            for (String type : module.typeNames()) {
                Class<?> c = Class.forName(type, true, isolated); // verified and initialized
                assertEquals(isolated, c.getClassLoader(), type);
            }
        }
    }
}
