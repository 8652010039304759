-- Whether the checkpoint's graph already holds quantized operators (QuantizeLinear/DequantizeLinear, integer
-- kernels, MatMulNBits): a quantization-aware-trained export, which only recipes of method qat may take.
-- Read by the streaming header reader at upload; checkpoints registered before this column are float models.
alter table checkpoint add column quantized boolean not null default false;
