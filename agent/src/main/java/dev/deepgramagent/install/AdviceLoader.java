package dev.deepgramagent.install;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.pool.TypePool;

/**
 * Reads advice classes as bytes, never loading them: advice refers to library types (OkHttp's,
 * say) that the agent's class loader cannot see, so loading it there could fail verification.
 */
public final class AdviceLoader {

    private static final ClassFileLocator LOCATOR = ClassFileLocator.ForClassLoader.of(AdviceLoader.class.getClassLoader());
    private static final TypePool POOL = TypePool.Default.of(LOCATOR);

    private AdviceLoader() {
    }

    public static Advice advice(String adviceClassName) {
        return Advice.to(POOL.describe(adviceClassName).resolve(), LOCATOR);
    }
}
