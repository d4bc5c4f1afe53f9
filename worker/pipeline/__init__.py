"""The pure processing pipeline: stages over typed values (see `worker.pipeline.run`).

No module in this package touches Kafka, metrics, clocks, retries or the environment.
"""
