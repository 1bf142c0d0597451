"""The enums of gan.h as IntEnums (values from lowlevel, checked against
the header by the tests)."""
import enum

from . import lowlevel as ll


class Activation(enum.IntEnum):
    IDENTITY = ll.GAN_ACT_IDENTITY
    RELU = ll.GAN_ACT_RELU
    LEAKY_RELU = ll.GAN_ACT_LEAKY_RELU
    TANH = ll.GAN_ACT_TANH
    SIGMOID = ll.GAN_ACT_SIGMOID


class LayerKind(enum.IntEnum):
    DENSE = ll.GAN_LAYER_DENSE
    MAXOUT = ll.GAN_LAYER_MAXOUT
    DROPOUT = ll.GAN_LAYER_DROPOUT
    RESHAPE = ll.GAN_LAYER_RESHAPE
    CONV2D = ll.GAN_LAYER_CONV2D
    DECONV2D = ll.GAN_LAYER_DECONV2D
    CHANNEL_MAXOUT = ll.GAN_LAYER_CHANNEL_MAXOUT
    MAXPOOL = ll.GAN_LAYER_MAXPOOL
    BATCHNORM = ll.GAN_LAYER_BATCHNORM
    ACTIVATION = ll.GAN_LAYER_ACTIVATION


class Init(enum.IntEnum):
    UNIFORM = ll.GAN_INIT_UNIFORM
    NORMAL = ll.GAN_INIT_NORMAL
    GLOROT_UNIFORM = ll.GAN_INIT_GLOROT_UNIFORM
    HE_NORMAL = ll.GAN_INIT_HE_NORMAL


class OptimizerKind(enum.IntEnum):
    SGD = ll.GAN_OPT_SGD
    ADAM = ll.GAN_OPT_ADAM


class ToyKind(enum.IntEnum):
    GAUSSIAN_1D = ll.GAN_TOY_GAUSSIAN_1D
    RING_2D = ll.GAN_TOY_RING_2D
    GRID_2D = ll.GAN_TOY_GRID_2D


class GLoss(enum.IntEnum):
    NON_SATURATING = ll.GAN_G_LOSS_NON_SATURATING
    MINIMAX = ll.GAN_G_LOSS_MINIMAX


class NoiseKind(enum.IntEnum):
    UNIFORM = ll.GAN_NOISE_UNIFORM
    NORMAL = ll.GAN_NOISE_NORMAL


class UpdateOrder(enum.IntEnum):
    ALTERNATING = ll.GAN_ORDER_ALTERNATING
    SIMULTANEOUS = ll.GAN_ORDER_SIMULTANEOUS


class LogLevel(enum.IntEnum):
    ERROR = ll.GAN_LOG_ERROR
    WARN = ll.GAN_LOG_WARN
    INFO = ll.GAN_LOG_INFO
    DEBUG = ll.GAN_LOG_DEBUG
