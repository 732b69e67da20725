"""Two contexts of one engine, each on its own thread with its own batch size, at the same time."""
import threading

import numpy as np

import mirt
from conftest import assert_close, build_cpu, gemm_network


def test_two_contexts_in_two_threads(rng):
    net, reference = gemm_network(rng, n_in=64, n_out=32)
    with build_cpu(net, [{"x": ((1, 64), (8, 64), (16, 64))}]) as plan, mirt.Engine(plan) as engine:
        inputs = {batch: rng.standard_normal((batch, 64)).astype(np.float32) for batch in (3, 16)}
        errors, barrier = [], threading.Barrier(2, timeout=60)  # no hang if the other thread fails first

        def work(batch):
            try:
                with engine.create_context() as ctx:
                    barrier.wait()
                    for _ in range(200):
                        assert_close(ctx.run({"x": inputs[batch]})["act"], reference(inputs[batch]))
            except BaseException as e:  # reported by the main thread
                errors.append(e)

        threads = [threading.Thread(target=work, args=(b,)) for b in inputs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
