package io.churnagent.instrument;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the agent's transformer pays per class load to decide whether to weave it: the exact-name
 * lookup alone (before relocated copies were hooked) against the exact-name lookup and the
 * relocation index ({@link RelocatedNames}), over real class names (up to 400 from each JDK module,
 * a few thousand, none of them woven), each a fresh String as the transformer gets it. In this package because the transformer's parts are
 * package-private. Run by hand:
 * {@code java -cp benchmarks/target/benchmarks.jar:agent/target/churn-agent.jar org.openjdk.jmh.Main ClassNameLookupBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class ClassNameLookupBenchmark {

    private String[] names;
    private Map<String, Weavings.Weave> byName;
    private RelocatedNames relocated;
    private int next;

    @Setup
    public void setUp() {
        Weavings weavings = new Weavings();
        ClientConstructionInstrumentation.addTo(weavings);
        NettyChannelInstrumentation.addTo(weavings);
        HandlerInstrumentation.addTo(weavings);
        byName = weavings.byName();
        relocated = weavings.relocated();
        names = classNames().toArray(new String[0]);
    }

    private static List<String> classNames() {
        List<String> result = new ArrayList<>();
        for (String n : new String[] {"java.lang.String", "java.util.HashMap", "java.net.Socket"}) {
            result.add(n);
        }
        // the JDK's module contents give thousands of real names without loading them
        for (java.lang.module.ResolvedModule m : ModuleLayer.boot().configuration().modules()) {
            try (java.lang.module.ModuleReader reader = m.reference().open()) {
                reader.list().filter(r -> r.endsWith(".class") && !r.contains("-"))
                        .limit(400)
                        .forEach(r -> result.add(r.substring(0, r.length() - 6).replace('/', '.')));
            } catch (java.io.IOException e) {
                // skip this module
            }
        }
        return result;
    }

    /** A fresh String per call, as {@code internalName.replace('/', '.')} gives the transformer. */
    private String nextName() {
        String n = names[next];
        next = next + 1 == names.length ? 0 : next + 1;
        return new String(n.toCharArray());
    }

    @Benchmark
    public void exactNameOnly(Blackhole bh) {
        bh.consume(byName.get(nextName()));
    }

    @Benchmark
    public void exactNameAndRelocated(Blackhole bh) {
        String name = nextName();
        Weavings.Weave w = byName.get(name);
        bh.consume(w != null ? w : relocated.find(name));
    }

    @Benchmark
    public void freshNameOnly(Blackhole bh) {
        bh.consume(nextName()); // the cost of making the name, common to both
    }
}
