package dev.deepgramagent.instrumentation.okhttp;

import dev.deepgramagent.bridge.Bridge;
import net.bytebuddy.asm.Advice;
import okhttp3.WebSocket;

/**
 * Inlined at the end of every RealWebSocket constructor: reports the socket and its URL.
 * Parameters are typed with JDK types only (the agent's loader cannot see OkHttp); casts in the
 * body resolve in the app's class loader, where the code runs.
 */
public final class RealWebSocketCreatedAdvice {

    private RealWebSocketCreatedAdvice() {
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object socket) {
        Bridge.socketCreated(socket, "okhttp", ((WebSocket) socket).request().url().toString());
    }
}
