package example;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

import java.util.Map;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * {@code RunFixture <class> <churn.junit.unavailable>}: runs one fixture class through the test kit in
 * a JVM of its own and prints one line per finished container and test: status, name, message.
 */
public final class RunFixture {

    private RunFixture() {
    }

    public static void main(String[] args) throws Exception {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(Class.forName(args[0])))
                .configurationParameters(Map.of("churn.junit.unavailable", args[1]))
                .execute();
        results.allEvents().finished().stream().forEach(RunFixture::print);
    }

    private static void print(Event e) {
        TestExecutionResult r = e.getPayload(TestExecutionResult.class).orElseThrow();
        System.out.println("fixture-result " + r.getStatus() + " " + e.getTestDescriptor().getDisplayName() + " "
                + r.getThrowable().map(Throwable::getMessage).orElse(""));
    }
}
